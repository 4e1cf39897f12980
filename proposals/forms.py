import uuid
from datetime import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Proposal
from .submission import AUTHOR_FIELDS


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
    # The proposal's updated_at as this form loaded it: a save from an older copy (another
    # tab) is refused (Proposal.save_by_author). Mangled or missing, it only costs the check.
    updated_at = forms.Field(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Proposal
        fields = AUTHOR_FIELDS
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
        # From a refusal (show_refusal): the earlier proposal a duplicate repeats, and the
        # proposal as saved now when this copy was stale; the template shows both.
        self.duplicate = None
        self.saved = None
        if self.instance.pk is None:
            self.instance.session = session
            self.instance.author = author
            del self.fields["updated_at"]
            if not self.is_bound:
                # One token per form shown: a second POST of it (a double click, a browser
                # retry) finds the proposal the first one stored.
                self.initial["submission_token"] = (
                    self.initial.get("submission_token") or uuid.uuid4()
                )
        else:
            self.fields["updated_at"].initial = self.instance.updated_at.isoformat()
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
        self.helper.layout = Layout(*self.fields)
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
            token = uuid.UUID(self.cleaned_data["submission_token"])
        except (TypeError, ValueError):  # missing (None) or mangled
            token = None
        if self.instance.pk is None:
            self.instance.submission_token = token
        return token

    def clean_updated_at(self):
        try:
            seen = datetime.fromisoformat(self.cleaned_data["updated_at"])
        except (TypeError, ValueError):  # missing (None) or mangled: no check, as for the token
            return None
        return seen if seen.tzinfo is not None else None

    def show_refusal(self, refusal):
        """Show a rule's refusal (a SubmissionRefused) above the fields, which keep the text."""
        if refusal.code == "incomplete":
            return  # the fields themselves say what is missing
        self.add_error(None, refusal.message)
        self.duplicate = refusal.duplicate
        self.saved = refusal.saved
        if refusal.code == "token_taken":
            # Shown again with a fresh token, so that sending once more goes through.
            self.data = self.data.copy()
            self.data["submission_token"] = str(uuid.uuid4())
        if refusal.saved is not None:
            # Saving again, after reading the saved text, is the author's informed choice.
            self.data = self.data.copy()
            self.data["updated_at"] = refusal.saved.updated_at.isoformat()

    @classmethod
    def for_sending(cls, proposal, author):
        """The saved draft as if sent with "Submit": its errors say what is still missing."""
        data = {name: getattr(proposal, name) for name in AUTHOR_FIELDS}
        data[cls.SUBMIT] = "1"
        data["updated_at"] = proposal.updated_at.isoformat()
        return cls(data, instance=proposal, session=proposal.session, author=author)
