from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin

# A year's arrangement is a few dozen lines; anything bigger is not one.
MAX_FILE_BYTES = 256 * 1024


class CalendarImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One line per day: date,kind,name — kind is holiday or workday (a weekend day "
            "worked); an optional header line. UTF-8 or GB 18030."
        ),
    )
    notice = forms.CharField(
        label=_("Notice number"),
        max_length=120,
        required=False,
        help_text=_("e.g. 国办发明电〔2025〕7号"),
    )
    title = forms.CharField(label=_("Notice title"), max_length=200, required=False)
    draft = forms.BooleanField(
        label=_("Keep as a draft (not in force until published)"), required=False
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        name = (uploaded.name or "").lower()
        if not name.endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        if uploaded.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too big for a year's arrangement."))
        return uploaded
