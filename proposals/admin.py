from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forum_portal.admin import BadInputAdminMixin
from sessions.models import Participation, Session

from . import exports
from .models import Proposal, ProposalEvent, TransitionNotAllowed, User

Status = Proposal.Status
NOTE_MAX_LENGTH = 1000


@admin.register(User)
class UserAdmin(BadInputAdminMixin, DjangoUserAdmin):
    """Participants' accounts: for superusers (the Moderators group has no user permissions)."""

    ordering = ("surname", "first_name")
    list_display = ("email", "surname", "first_name", "organisation", "person", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("person",)
    search_fields = ("email", "surname", "first_name", "organisation")
    autocomplete_fields = ("person",)
    readonly_fields = ("consent_version", "consent_given_at", "last_login", "date_joined")
    # Only a superuser hands out rights, even if someone is given "change user" one day.
    rights_fields = ("is_staff", "is_superuser", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("surname", "first_name", "patronymic")}),
        (_("Affiliation"), {"fields": ("organisation", "position", "person")}),
        (_("Consent"), {"fields": ("consent_version", "consent_given_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "surname", "first_name", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.rights_fields)


def moderated_sessions(user):
    """Sessions this user moderates (all of them for a superuser)."""
    if user.is_superuser:
        return Session.objects.all()
    if not user.is_authenticated or not user.person_id:
        return Session.objects.none()
    moderates = Participation.objects.filter(
        session=OuterRef("pk"), person=user.person_id, role=Participation.Role.MODERATOR
    )
    return Session.objects.filter(Exists(moderates))


def export_response(sessions, kind):
    """The draft recommendations of the sessions as a CSV or Word download."""
    sessions = list(sessions)
    name = f"recommendations-{sessions[0].slug}" if len(sessions) == 1 else "recommendations"
    if kind == "csv":
        response = HttpResponse(
            exports.recommendations_csv(sessions), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.recommendations_docx(sessions), content_type=exports.DOCX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


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


class ProposalAdminForm(forms.ModelForm):
    transition_note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the status change when you press one of the status buttons."),
    )

    class Meta:
        model = Proposal
        fields = ("edited_wording", "moderator_note", "public_answer")


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(NoteForm):
    target = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Proposal.objects.none(), empty_label=None
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda proposal: (
            _("#%(pk)s “%(title)s” by %(author)s (%(status)s)")
            % {
                "pk": proposal.pk,
                "title": proposal.title,
                "author": proposal.author,
                "status": proposal.get_status_display().lower(),
            }
        )


@admin.register(Proposal)
class ProposalAdmin(BadInputAdminMixin, admin.ModelAdmin):
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
            {"fields": ("edited_wording", "moderator_note", "public_answer", "transition_note")},
        ),
        (_("Dates"), {"fields": ("created_at", "submitted_at", "decided_at", "updated_at")}),
    )
    # The author's text and the workflow fields never change here; statuses move only through
    # the buttons and actions below, which call the model's moves.
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
    editable_fields = ("edited_wording", "moderator_note", "public_answer")
    inlines = (ProposalEventInline,)
    actions = ("take_up_selected", "accept_selected", "reject_selected", "merge_selected")
    actions += ("export_csv", "export_docx")
    # Moves offered as buttons and bulk actions: method name → (target status, button label).
    MOVES = {
        "take_up": (Status.UNDER_REVIEW, _("Take up for review")),
        "accept": (Status.ACCEPTED, _("Accept")),
        "reject": (Status.REJECTED, _("Reject")),
    }

    def get_queryset(self, request):
        # A moderator sees the proposals of their own sessions, never an author's draft;
        # another session's proposal by URL is the admin's "doesn't exist" answer.
        return super().get_queryset(request).moderated_by(request.user).visible_to_moderators()

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

    # --- Bulk moves behind a confirmation page -----------------------------------------------

    def _confirm_moves(self, request, queryset, move):
        to, label = self.MOVES[move]
        proposals = list(queryset.select_related("session", "author"))
        form = NoteForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            done = self._move_each(
                request,
                proposals,
                lambda proposal: getattr(proposal, move)(by=request.user, note=note),
            )
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d proposal is now %(status)s.",
                        "%(count)d proposals are now %(status)s.",
                        done,
                    )
                    % {"count": done, "status": Status(to).label.lower()},
                    messages.SUCCESS,
                )
            return None
        return self._confirmation_page(
            request,
            "admin/proposals/proposal/move_confirmation.html",
            proposals,
            to,
            form,
            title=_("Are you sure?"),
            action_name=f"{move}_selected",
            action_label=label,
            to_status=Status(to).label,
        )

    def _move_each(self, request, proposals, move):
        """Make the move on each proposal; report each refusal. Returns how many moved."""
        done = 0
        for proposal in proposals:
            try:
                move(proposal)
            except TransitionNotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                done += 1
        return done

    def _confirmation_page(self, request, template, selected, to, form, **context):
        """The page listing what a bulk move will change, what it will refuse, and why."""
        rows = [(proposal, proposal.refusal_reason(to)) for proposal in selected]
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "changes": [proposal for proposal, reason in rows if not reason],
                "refusals": [(proposal, reason) for proposal, reason in rows if reason],
                "form": form,
                **context,
            },
        )

    @admin.action(
        description=_("Take up the selected proposals for review"), permissions=["change"]
    )
    def take_up_selected(self, request, queryset):
        return self._confirm_moves(request, queryset, "take_up")

    @admin.action(description=_("Accept the selected proposals"), permissions=["change"])
    def accept_selected(self, request, queryset):
        return self._confirm_moves(request, queryset, "accept")

    @admin.action(description=_("Reject the selected proposals"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._confirm_moves(request, queryset, "reject")

    @admin.action(
        description=_("Merge the selected proposals into one proposal"), permissions=["change"]
    )
    def merge_selected(self, request, queryset):
        proposals = list(queryset.select_related("session", "author"))
        if len({proposal.session_id for proposal in proposals}) != 1:
            self.message_user(
                request, _("Select proposals of one session to merge them."), messages.ERROR
            )
            return None
        session = proposals[0].session
        targets = (
            self.get_queryset(request)
            .filter(session=session)
            .exclude(status__in=(Status.MERGED, Status.WITHDRAWN))
            .select_related("author")
            .order_by("pk")
        )
        form = MergeForm(
            request.POST if request.POST.get("post") == "yes" else None, targets=targets
        )
        if form.is_valid():
            target = form.cleaned_data["target"]
            note = form.cleaned_data["note"]
            done = self._move_each(
                request,
                [proposal for proposal in proposals if proposal.pk != target.pk],
                lambda proposal: proposal.merge_into(target, by=request.user, note=note),
            )
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d proposal merged into “%(title)s”.",
                        "%(count)d proposals merged into “%(title)s”.",
                        done,
                    )
                    % {"count": done, "title": target.title},
                    messages.SUCCESS,
                )
            return None
        return self._confirmation_page(
            request,
            "admin/proposals/proposal/merge_confirmation.html",
            proposals,
            Status.MERGED,
            form,
            title=_("Merge proposals"),
            action_name="merge_selected",
            action_label=_("Merge proposals"),
            session=session,
        )

    # --- Exports of the draft recommendations ------------------------------------------------

    def _export_selected(self, request, queryset, kind):
        sessions = Session.objects.filter(pk__in=queryset.values("session")).order_by("starts_at")
        if not sessions:
            self.message_user(request, _("No proposal of yours was selected."), messages.ERROR)
            return None
        return export_response(sessions, kind)

    @admin.action(description=_("Export draft recommendations (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export_selected(request, queryset, "csv")

    @admin.action(description=_("Export draft recommendations (Word)"), permissions=["view"])
    def export_docx(self, request, queryset):
        return self._export_selected(request, queryset, "docx")

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path(
                "export/<int:session_pk>.<str:kind>",
                export,
                name="proposals_proposal_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, session_pk, kind):
        """/admin/proposals/proposal/export/<session>.csv|.docx, for that session's moderators."""
        if kind not in ("csv", "docx") or not self.has_view_permission(request):
            raise Http404
        session = get_object_or_404(moderated_sessions(request.user), pk=session_pk)
        return export_response([session], kind)
