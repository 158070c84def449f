"""The filters of the lights board."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lights import Light
from zhaoshang.core.widgets import make_drawn
from zhaoshang.monitoring.choices import Level, Subject


class SignalFilterForm(forms.Form):
    subject = forms.ChoiceField(
        choices=[("", _("All"))] + Subject.choices, required=False, label=_("Subject")
    )
    light = forms.ChoiceField(
        choices=[("", _("All")), (Light.RED, Light.RED.label), (Light.YELLOW, Light.YELLOW.label)],
        required=False,
        label=_("Light"),
    )
    level = forms.TypedChoiceField(
        choices=[("", _("All"))] + Level.choices,
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Escalated to"),
    )
    department = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Responsible department")
    )
    park = forms.ModelChoiceField(queryset=None, required=False, label=_("Park"))
    mine = forms.BooleanField(required=False, label=_("My department only"))
    unassigned = forms.BooleanField(required=False, label=_("Unassigned only"))
    # The leader's home links here: the lights of the projects I serve (team, designated
    # contact leader, paired department); and the bureau's: the lights lit this month.
    my_projects = forms.BooleanField(required=False, label=_("My projects only"))
    this_month = forms.BooleanField(required=False, label=_("Lit this month only"))

    def __init__(self, *args, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.org.models import Department, Park

        scope = {"district_id": district_id} if district_id else {}
        self.fields["department"].queryset = Department.objects.filter(**scope)
        self.fields["park"].queryset = Park.objects.filter(**scope)
        for name, field in self.fields.items():
            # The options drawn in Python: the same HTML as Django's templates, less work.
            field.widget = make_drawn(field.widget)
            checks = ("mine", "unassigned", "my_projects", "this_month")
            css = "form-check-input" if name in checks else "form-select"
            field.widget.attrs["class"] = css
