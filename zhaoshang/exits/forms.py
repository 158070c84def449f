"""Forms of the exit-warning pages; the services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.exits.choices import RuleCode, WarningStatus

ACCEPTED = _("PDF, image, Word, Excel, OFD or ZIP.")


class _Versioned(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


def _date(label, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class _StepForm(_Versioned):
    occurred_on = _date(_("date"), help_text=_("Leave empty for today."))
    document = forms.FileField(label=_("document"), help_text=ACCEPTED)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("note")
    )


class NoticeForm(_StepForm):
    deadline = _date(_("rectify by"), required=True)
    field_order = ["occurred_on", "deadline", "document", "note"]


class ClearanceForm(_StepForm):
    pass


class RecoveryForm(_StepForm):
    pass


class ConfirmDelayForm(_Versioned):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("reason for the attribution"),
        help_text=_(
            "Why the days held up by these government records are not the enterprise's own."
        ),
    )


class DeskFilterForm(forms.Form):
    """The warnings desk's filters. Without a status filter the desk lists the warnings
    the district still acts on and the closed ones, but not the excluded ones: those are
    shown by the "excluded" filter."""

    rule = forms.ChoiceField(
        choices=[("", _("All"))] + RuleCode.choices, required=False, label=_("rule")
    )
    status = forms.ChoiceField(
        choices=[("", _("All but excluded"))] + WarningStatus.choices,
        required=False,
        label=_("status"),
    )
    park = forms.ModelChoiceField(
        queryset=None, required=False, label=_("park"), empty_label=_("All")
    )
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.core import roles
        from zhaoshang.org.models import Park

        parks = Park.objects.order_by("code", "name")
        if not roles.sees_all_districts(user):
            parks = parks.filter(district_id=getattr(user, "district_id", None))
        self.fields["park"].queryset = parks
