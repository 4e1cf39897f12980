from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Session


class ProgrammeFilterForm(forms.Form):
    """The programme's filters. Bad values are ignored rather than refused: it is a GET search."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    day = forms.ChoiceField(label=_("Day"), required=False, choices=())
    format = forms.ChoiceField(label=_("Format"), required=False, choices=())

    def __init__(self, *args, days=(), formats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, topic or speaker")
        self.fields["day"].choices = [("", _("All days"))] + [
            (day.isoformat(), day.strftime("%d.%m.%Y")) for day in days
        ]
        labels = dict(Session.Format.choices)
        self.fields["format"].choices = [("", _("All formats"))] + [
            (value, labels[value]) for value in formats
        ]

    def filter(self, sessions):
        """Narrow a session queryset by whatever valid filters were given."""
        if not self.is_bound:
            return sessions
        # cleaned_data keeps the fields that passed even when another one failed: a bad day
        # is shown as an error without dropping the format or search the visitor also chose.
        self.is_valid()
        data = self.cleaned_data
        if data.get("day"):
            sessions = sessions.on_day(data["day"])
        if data.get("format"):
            sessions = sessions.of_format(data["format"])
        if data.get("q", "").strip():
            sessions = sessions.search(data["q"])
        return sessions


class SpeakerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
