"""The proposals admin's bulk actions: status moves and merges behind a confirmation page, and
the draft recommendations' exports (as actions, and at one URL per session)."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions.models import Session

from .. import exports
from ..models import Proposal, TransitionNotAllowed
from .forms import MergeForm, NoteForm

Status = Proposal.Status


class BulkMoveActions:
    """Take up, accept, reject and merge the selected proposals, each through the model's move."""

    actions = ("take_up_selected", "accept_selected", "reject_selected", "merge_selected")
    # Moves offered as buttons and bulk actions: method name → (target status, button label).
    MOVES = {
        "take_up": (Status.UNDER_REVIEW, _("Take up for review")),
        "accept": (Status.ACCEPTED, _("Accept")),
        "reject": (Status.REJECTED, _("Reject")),
    }

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


class ExportActions:
    """The draft recommendations of the selected proposals' sessions, or of one session."""

    actions = ("export_csv", "export_docx")

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
        session = get_object_or_404(Session.objects.moderated_by(request.user), pk=session_pk)
        return export_response([session], kind)
