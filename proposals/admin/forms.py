"""The forms of the proposals' admin: the change page's, and the bulk moves' confirmations."""

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ..models import Proposal

NOTE_MAX_LENGTH = 1000


def history_note(*, rows, help_text=""):
    """The field for the note a status change records in the proposal's history."""
    return forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class ProposalAdminForm(forms.ModelForm):
    """The moderator's fields, saved only over the version of the proposal the moderator saw."""

    transition_note = history_note(
        rows=2,
        help_text=_("Recorded with the status change when you press one of the status buttons."),
    )
    # The proposal's updated_at when the page was loaded. Every save and move moves it, so a
    # different value at save time means someone else saved since: last save must not win.
    loaded_updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = ("edited_wording", "moderator_note", "public_answer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_updated_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        # ProposalAdmin.get_object read the instance under a row lock held until the save.
        saved = self.instance
        loaded = parse_datetime(cleaned_data.get("loaded_updated_at") or "")
        if saved.pk is None or loaded == saved.updated_at:
            return cleaned_data
        for name in ProposalAdminForm.Meta.fields:
            value = getattr(saved, name)
            if value != cleaned_data.get(name, value):
                saved_text = _("Saved now: “%(text)s”") % {"text": value}
                self.add_error(name, saved_text if value else _("Saved now: empty"))
        # The page now carries the version it shows, so saving again, after keeping what is
        # needed from both, is a deliberate choice (and is refused again if it moves again).
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_updated_at")] = saved.updated_at.isoformat()
        raise forms.ValidationError(
            _(
                "Someone else saved this proposal after you opened it, so nothing was saved. "
                "Your text is kept below, and under each field that differs, the text saved now: "
                "keep what you need and save again."
            ),
            code="stale",
        )


class NoteForm(forms.Form):
    note = history_note(rows=3)


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
