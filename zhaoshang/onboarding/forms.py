"""The forms of the ledger import: the upload and the district's go-live date."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.onboarding import registry


def what_choices(allowed=None) -> list[tuple[str, str]]:
    """The whole workbook, or one of the kinds (those in ``allowed`` when given)."""
    return [(registry.WORKBOOK, _("The whole workbook (one sheet per kind)"))] + [
        (kind, str(cls.sheet_title))
        for kind, cls in registry.available()
        if allowed is None or kind in allowed
    ]


class UploadForm(BootstrapMixin, forms.Form):
    """A district's own spreadsheet (.xlsx or .csv)."""

    file = forms.FileField(
        label=_("Your ledger (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    what = forms.ChoiceField(label=_("What it holds"), choices=())

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = what_choices(allowed)
        self.fields["what"].initial = registry.WORKBOOK


class GoLiveForm(BootstrapMixin, forms.Form):
    historical_date_fields = ("go_live_on",)

    go_live_on = forms.DateField(
        label=_("Go-live date"),
        help_text=_(
            "The day the district began to work on the platform: nobody is docked in the "
            "assessment for a duty that fell due before it."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
