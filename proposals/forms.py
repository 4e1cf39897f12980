import uuid
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Proposal, User

# How many proposals one participant may send to one session within the window, unless the
# settings say otherwise: enough for a real participant, too few to flood the moderators.
DEFAULT_PROPOSAL_RATE_LIMIT = 5
DEFAULT_PROPOSAL_RATE_WINDOW = timedelta(hours=1)


def normalise_wording(text):
    """The wording as the duplicate check compares it: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def submission_refusal(*, session, author, wording, exclude=None):
    """Why this participant may not send this wording to this session now, or None.

    Returns (message, existing proposal or None). Callers run it inside the transaction that
    locks the author's row (see lock_author), so two requests of one participant at once
    cannot both slip under the limit or both send the same text.
    """
    reason = session.proposals_closed_reason()
    if reason:
        return reason, None
    mine = Proposal.objects.by_author(author).filter(session=session)
    if exclude is not None:
        mine = mine.exclude(pk=exclude.pk)
    limit = getattr(settings, "PROPOSAL_RATE_LIMIT", DEFAULT_PROPOSAL_RATE_LIMIT)
    window = getattr(settings, "PROPOSAL_RATE_WINDOW", DEFAULT_PROPOSAL_RATE_WINDOW)
    since = timezone.now() - window
    not_standing = (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN)
    # One query for both rules (a submission's cost is mostly its queries): the standing
    # proposals, whose wording a new one may not repeat, and those sent within the window.
    candidates = list(
        mine.filter(~Q(status__in=not_standing) | Q(submitted_at__gte=since)).only(
            "pk", "title", "wording", "status", "submitted_at"
        )
    )
    wanted = normalise_wording(wording)
    for existing in candidates:
        if existing.status not in not_standing and normalise_wording(existing.wording) == wanted:
            return (
                _(
                    "You have already sent a proposal with this wording to this session: "
                    "“%(title)s”. There is no need to send it again."
                )
                % {"title": existing.title},
                existing,
            )
    # Withdrawn proposals count too: sending and withdrawing in a loop is flooding as well.
    recent = sorted(
        p.submitted_at for p in candidates if p.submitted_at and p.submitted_at >= since
    )
    if len(recent) >= limit:
        # The oldest submission still counted leaves the window first.
        free_at = timezone.localtime(recent[len(recent) - limit] + window)
        return (
            ngettext(
                "You have sent %(count)d proposal to this session recently, the most it "
                "takes from one participant at a time. You can send the next one after "
                "%(time)s.",
                "You have sent %(count)d proposals to this session recently, the most it "
                "takes from one participant at a time. You can send the next one after "
                "%(time)s.",
                len(recent),
            )
            % {"count": len(recent), "time": formats.time_format(free_at, "H:i")},
            None,
        )
    return None


def lock_author(user):
    """Serialise one participant's submissions: call inside transaction.atomic()."""
    User.objects.select_for_update().only("pk").get(pk=user.pk)


class SecondarySubmit(Submit):
    """A submit button drawn as an outline: the less final of two choices."""

    field_classes = "btn btn-outline-primary"


class ProposalForm(forms.ModelForm):
    """A participant's proposal: what they write, and which button they pressed."""

    SAVE_DRAFT = "save_draft"
    SUBMIT = "submit"

    # Not a UUIDField, nor a CharField (which refuses a NUL character): a mangled hidden value
    # is no reason to refuse the participant's text, with an error on a field they cannot see;
    # it only costs this one submission its protection against a double click.
    submission_token = forms.Field(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Proposal
        fields = ("title", "wording", "rationale", "addressee")
        labels = {
            "title": _("Short title"),
            "wording": _("Proposed wording of the recommendation"),
            "rationale": _("Why it is needed"),
            "addressee": _("To whom the recommendation is addressed"),
        }
        error_messages = {
            "title": {
                "required": _("Please give your proposal a short title."),
                "max_length": _(
                    "Please shorten the title to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "wording": {
                "required": _("Please write the recommendation you propose."),
                "max_length": _(
                    "Please shorten the wording to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "rationale": {
                "required": _("Please explain why the recommendation is needed."),
                "max_length": _(
                    "Please shorten the rationale to %(limit_value)d characters "
                    "(it now has %(show_value)d)."
                ),
            },
            "addressee": {
                "required": _("Please choose to whom the recommendation is addressed."),
                "invalid_choice": _("Please choose one of the listed addressees."),
            },
        }
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 6}),
            "rationale": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, session, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.author = author
        # The existing proposal a duplicate submission points to; the template links to it.
        self.duplicate = None
        limits = {
            "title": Proposal.TITLE_MAX_LENGTH,
            "wording": Proposal.WORDING_MAX_LENGTH,
            "rationale": Proposal.RATIONALE_MAX_LENGTH,
        }
        for name, limit in limits.items():
            field = self.fields[name]
            field.help_text = _("Up to %(limit)d characters.") % {"limit": limit}
            # No maxlength attribute: a browser silently cuts a longer pasted text, and the
            # participant's words must never be lost. The server says what is too long.
            field.widget.attrs.pop("maxlength", None)
        self.fields["addressee"].choices = [("", _("Choose…")), *Proposal.Addressee.choices]
        if self.is_draft and self.is_bound and not self.wants_submit:
            # A draft is work in progress: only its title is needed to find it again.
            for name in ("wording", "rationale", "addressee"):
                self.fields[name].required = False
        self.helper = FormHelper()
        # The template draws the <form> with its action and CSRF token.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "title", "wording", "rationale", "addressee", "submission_token"
        )
        if self.is_draft:
            self.helper.add_input(SecondarySubmit(self.SAVE_DRAFT, _("Save draft")))
            self.helper.add_input(Submit(self.SUBMIT, _("Submit")))
        else:
            self.helper.add_input(Submit(self.SAVE_DRAFT, _("Save changes")))

    @property
    def is_draft(self):
        """A new proposal, or one saved as a draft and not sent yet."""
        return self.instance.pk is None or self.instance.status == Proposal.Status.DRAFT

    @property
    def wants_submit(self):
        """The participant pressed "Submit" (a draft saved with "Save draft" stays a draft)."""
        return self.is_bound and self.SUBMIT in self.data

    def clean_submission_token(self):
        try:
            return uuid.UUID(self.cleaned_data["submission_token"])
        except (TypeError, ValueError):  # missing (None) or mangled
            return None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.wants_submit or not self.is_draft:
            # Creating even a draft in a closed session is refused, and so is changing a sent
            # proposal (a late change is a late submission); an existing draft may still be
            # saved, so that nothing typed is lost.
            reason = self.session.proposals_closed_reason()
            if reason:
                raise forms.ValidationError(reason, code="closed")
        if self.wants_submit and cleaned.get("wording"):
            refusal = submission_refusal(
                session=self.session,
                author=self.author,
                wording=cleaned["wording"],
                exclude=self.instance if self.instance.pk else None,
            )
            if refusal:
                message, self.duplicate = refusal
                raise forms.ValidationError(message, code="refused")
        return cleaned

    def save(self, commit=True):
        proposal = super().save(commit=False)
        if proposal.pk is None:
            proposal.session = self.session
            proposal.author = self.author
            proposal.submission_token = self.cleaned_data.get("submission_token")
        if commit:
            if proposal.pk is None:
                proposal.save()
            else:
                # Only the author's own fields: never write back a status a moderator may
                # have changed since this form was loaded.
                proposal.save(update_fields=[*self.Meta.fields, "updated_at"])
        return proposal
