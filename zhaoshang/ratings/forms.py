"""Forms of the ratings pages; ``ratings.services`` checks the follow-up again (every
problem at once). Every form has core's ``BootstrapMixin`` (no markup in any text)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.ratings.choices import Score, SubjectKind


def _blank(choices):
    return [("", _("All")), *choices]


class RatingFilterForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(
        queryset=None, required=False, label=_("department rated"), empty_label=_("All")
    )
    score = forms.ChoiceField(choices=_blank(Score.choices), required=False, label=_("rating"))
    kind = forms.ChoiceField(
        choices=_blank(SubjectKind.choices), required=False, label=_("what was rated")
    )
    open = forms.BooleanField(required=False, label=_("Follow-up open"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.org.models import Department

        departments = Department.objects.order_by("district_id", "sort_order", "id")
        if user is not None and user.district_id:
            departments = departments.filter(district_id=user.district_id)
        self.fields["department"].queryset = departments


class FollowUpForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,  # the service names a missing note with the other problems
        label=_("follow-up note"),
        help_text=_("What the supervision office found and did; the enterprise reads it."),
    )
    confirmed = forms.TypedChoiceField(
        choices=[
            ("", "---------"),
            ("1", _("Founded: the department is at fault")),
            ("0", _("Not founded")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
        label=_("dissatisfaction founded"),
        help_text=_("A founded dissatisfaction costs the department the assessment's points."),
    )
