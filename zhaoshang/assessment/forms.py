"""Forms of the assessment pages; the services in ``scoring`` check every rule again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin


class HandEntryForm(BootstrapMixin, forms.Form):
    """The supervision office's entry by hand. Fields are optional here so that the service
    names what is missing, in its words."""

    department = forms.ModelChoiceField(queryset=None, label=_("department"), required=False)
    year = forms.IntegerField(label=_("year"), required=False)
    points = forms.DecimalField(
        label=_("points"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("Negative to deduct, positive to add; at most 20 either way."),
    )
    occurred_on = forms.DateField(label=_("date"), required=False, widget=forms.DateInput)
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = forms.FileField(label=_("evidence file"), required=False)
    corrects = forms.IntegerField(
        label=_("corrects entry"),
        required=False,
        min_value=1,
        help_text=_("The number (#) of the entry this one corrects, if it corrects one."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class ObjectionForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    file = forms.FileField(label=_("file (optional)"), required=False)


class AnswerForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("upheld", _("Uphold: cancel the points")), ("rejected", _("Reject"))],
    )
    answer = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class BaseScoreForm(BootstrapMixin, forms.Form):
    base_score = forms.DecimalField(label=_("base score"), max_digits=6, decimal_places=2)


class DepartmentBaseForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(queryset=None, label=_("department"))
    base_score = forms.DecimalField(
        label=_("base score"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to use the year's base score again."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class FinishForm(BootstrapMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: the year's ledger is complete and its scores are final."),
    )
