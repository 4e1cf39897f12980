"""The moderators' workspace: the proposals of the sessions they moderate, and their history."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from forum_portal.admin import BadInputAdminMixin

from ..models import Proposal, ProposalEvent, TransitionNotAllowed
from .actions import BulkMoveActions, ExportActions
from .forms import ProposalAdminForm


class ProposalEventInline(admin.TabularInline):
    """The history of status changes: read-only, written only by the model's moves."""

    model = ProposalEvent
    fields = ("at", "actor_name", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    # A plain name: a read-only foreign key would link to the user admin, closed to moderators.
    @admin.display(description=_("by"))
    def actor_name(self, event):
        return event.actor.get_full_name() if event.actor else ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(BulkMoveActions, ExportActions, BadInputAdminMixin, admin.ModelAdmin):
    """The moderators' workspace: only the proposals of the sessions they moderate."""

    form = ProposalAdminForm
    list_display = (
        "title",
        "status",
        "session",
        "author",
        "author_organisation",
        "submitted_at",
    )
    list_filter = (("session", admin.RelatedOnlyFieldListFilter), "status", "addressee")
    list_select_related = ("session", "author")
    search_fields = ("title", "wording", "rationale", "author__surname", "author__email")
    date_hierarchy = "submitted_at"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "session_title",
                    "addressee",
                    "status",
                    "merged_into",
                    ("author_name", "author_email"),
                    ("author_organisation", "author_position"),
                )
            },
        ),
        (_("The author's text"), {"fields": ("wording", "rationale")}),
        (
            _("Moderation"),
            {
                "fields": (
                    "edited_wording",
                    "moderator_note",
                    "public_answer",
                    "transition_note",
                    "loaded_updated_at",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "submitted_at", "decided_at", "updated_at")}),
    )
    # The author's text and the workflow fields never change here; statuses move only through
    # the buttons and actions, which call the model's moves.
    readonly_fields = (
        "title",
        "session_title",
        "addressee",
        "status",
        "merged_into",
        "author_name",
        "author_email",
        "author_organisation",
        "author_position",
        "wording",
        "rationale",
        "created_at",
        "submitted_at",
        "decided_at",
        "updated_at",
    )
    editable_fields = ProposalAdminForm.Meta.fields
    inlines = (ProposalEventInline,)
    actions = (*BulkMoveActions.actions, *ExportActions.actions)
    # A proposal's page on the site is its author's, which moderators cannot open.
    view_on_site = False

    def get_queryset(self, request):
        # A moderator sees the proposals of their own sessions, never an author's draft;
        # another session's proposal by URL is the admin's "doesn't exist" answer.
        return super().get_queryset(request).moderated_by(request.user).visible_to_moderators()

    def get_object(self, request, object_id, from_field=None):
        proposal = super().get_object(request, object_id, from_field)
        if proposal is not None and request.method == "POST":
            # The admin runs a POST in one transaction: the row stays locked from here to the
            # save, so the version ProposalAdminForm compares cannot move in between.
            proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        return proposal

    def has_add_permission(self, request):
        # Participants write proposals on the site; the admin only moderates them.
        return False

    # Plain text, not the links a read-only foreign key gets: the user and session admins
    # are closed to moderators.
    @admin.display(description=_("session"))
    def session_title(self, proposal):
        return proposal.session.title

    @admin.display(description=_("author"))
    def author_name(self, proposal):
        return proposal.author.get_full_name()

    @admin.display(description=_("organisation"), ordering="author__organisation")
    def author_organisation(self, proposal):
        return proposal.author.organisation

    @admin.display(description=_("e-mail address"))
    def author_email(self, proposal):
        return proposal.author.email

    @admin.display(description=_("position"))
    def author_position(self, proposal):
        return proposal.author.position

    # --- The change page: edits and status buttons -------------------------------------------

    def save_form(self, request, form, change):
        proposal = super().save_form(request, form, change)
        proposal.transition_note = form.cleaned_data.get("transition_note", "")
        return proposal

    def save_model(self, request, obj, form, change):
        # Only the moderator's fields: a full save would write back the status read at the
        # start of this request and undo a move another moderator made in the meantime.
        obj.save(update_fields=[*self.editable_fields, "updated_at"])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        moves = []
        if obj is not None and self.has_change_permission(request, obj):
            moves = [
                (name, label) for name, (to, label) in self.MOVES.items() if obj.can_move_to(to)
            ]
        context["status_moves"] = moves
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        move = request.POST.get("_move")
        if move is None:
            return super().response_change(request, obj)
        if move not in self.MOVES:
            self.message_user(request, _("Unknown status change."), messages.ERROR)
        else:
            try:
                getattr(obj, move)(by=request.user, note=getattr(obj, "transition_note", ""))
            except TransitionNotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Saved; “%(title)s” is now %(status)s.")
                    % {"title": obj.title, "status": obj.get_status_display().lower()},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(request.path)
