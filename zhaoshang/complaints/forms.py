"""Forms of the complaint pages; the services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.complaints.choices import Category, Channel, Outcome, Rating


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


class ReceiveForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    project = forms.ModelChoiceField(queryset=None, label=_("project"), required=False)
    department = forms.ModelChoiceField(queryset=None, label=_("department complained about"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("channel"))
    category = forms.ChoiceField(choices=Category.choices, label=_("complaint category"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("complaint"))
    contact_name = forms.CharField(max_length=50, required=False, label=_("contact person"))
    contact_phone = forms.CharField(max_length=30, required=False, label=_("contact phone"))
    contact_consent = forms.BooleanField(
        required=False, label=_("contact may be shown to the department")
    )

    def __init__(self, *args, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.enterprises.models import Enterprise
        from zhaoshang.org.models import Department
        from zhaoshang.projects.models import Project

        self.fields["enterprise"].queryset = Enterprise.objects.filter(district_id=district_id)
        self.fields["project"].queryset = Project.objects.filter(district_id=district_id)
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)


class DispatchForm(_Versioned):
    department = forms.ModelChoiceField(queryset=None, label=_("department complained about"))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        from zhaoshang.org.models import Department

        district_id = record.district_id if record is not None else None
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)
        if record is not None and not self.is_bound:
            self.initial["department"] = record.department_id


class AcceptForm(_Versioned):
    pass


class AnswerForm(_Versioned):
    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("finding"))
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("answer"))


class RateForm(_Versioned):
    rating = forms.ChoiceField(choices=Rating.choices, label=_("rating"))
