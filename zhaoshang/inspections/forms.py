"""Forms of the inspection pages; the services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.complaints.choices import Channel
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import offer_scope
from zhaoshang.inspections.choices import Kind, Rating, RequestStatus


class _Versioned(BootstrapMixin, forms.Form):
    # The pages always send the version they showed: a POST without it changes nothing.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


class FilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("All"))] + RequestStatus.choices, required=False, label=_("status")
    )
    kind = forms.ChoiceField(
        choices=[("", _("All"))] + Kind.choices, required=False, label=_("kind")
    )
    department = forms.ModelChoiceField(
        queryset=None, required=False, label=_("filing department"), empty_label=_("All")
    )
    mine = forms.BooleanField(required=False, label=_("Only my department's requests"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.org.models import Department

        self.fields["department"].queryset = Department.objects.visible_to(user)


class FileForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(queryset=None, label=_("filing department"))
    kind = forms.ChoiceField(choices=Kind.choices, label=_("kind"))
    enterprises = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("enterprises"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("purpose"))
    legal_basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("legal basis of the request"),
        help_text=_("The law, regulation or rule that requires the inspection, rating or fee."),
    )
    planned_on = forms.DateField(widget=forms.DateInput, label=_("planned date"))
    people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("inspectors"),
        help_text=_("Names and law-enforcement certificate numbers."),
    )
    quiet_day_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("reason to visit on a quiet day"),
        help_text=_("Needed when a routine visit falls on the enterprises' quiet days."),
    )
    fee_amount = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, label=_("fee amount (yuan)")
    )
    fee_basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("basis of the fee")
    )
    is_emergency = forms.BooleanField(
        required=False, label=_("Emergency inspection already carried out (filed afterwards)")
    )
    emergency_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("reason for the emergency"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.core import roles
        from zhaoshang.core.roles import Role
        from zhaoshang.enterprises.models import Enterprise
        from zhaoshang.org.models import Department

        departments = Department.objects.filter(district_id=user.district_id)
        if not roles.has_role(user, Role.ADMIN):
            departments = departments.filter(pk=user.department_id)
            self.initial.setdefault("department", user.department_id)
        self.fields["department"].queryset = departments
        self.fields["enterprises"].queryset = Enterprise.objects.filter(
            district_id=user.district_id
        ).order_by("name")
        offer_scope(self.fields["enterprises"], "district", user.district_id)


class ApproveForm(_Versioned):
    pass


class RejectForm(_Versioned):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("reason of the rejection")
    )


class CancelForm(_Versioned):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("reason")
    )


def merge_candidates(visits) -> dict[int, list]:
    """For each visit, the approved visits of other departments to the same enterprise
    that have not taken place (one query for all the visits of a page)."""
    from zhaoshang.inspections.choices import VISIT_KINDS
    from zhaoshang.inspections.models import InspectionVisit

    visits = list(visits)
    if not visits:
        return {}
    pool = list(
        InspectionVisit.objects.filter(
            district_id=visits[0].district_id,
            enterprise_id__in={v.enterprise_id for v in visits},
            request__status=RequestStatus.APPROVED,
            request__kind__in=VISIT_KINDS,
            carried_out_on__isnull=True,
        )
        .select_related("request__department")
        .order_by("visit_on", "id")
    )
    return {
        v.pk: [
            o
            for o in pool
            if o.enterprise_id == v.enterprise_id
            and o.request.department_id != v.request.department_id
            # Already in the same joint inspection: nothing to merge.
            and not (v.joint_id and o.joint_id == v.joint_id)
        ]
        for v in visits
    }


class MergeForm(_Versioned):
    others = forms.TypedMultipleChoiceField(
        coerce=int, label=_("visits of other departments to merge with")
    )
    visit_on = forms.DateField(widget=forms.DateInput, label=_("joint visit date"))
    lead_department = forms.TypedChoiceField(coerce=int, label=_("lead department"))

    def __init__(self, *args, record=None, candidates=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        if candidates is None:
            candidates = merge_candidates([record]).get(record.pk, []) if record else []
        self.candidates = {v.pk: v for v in candidates}
        self.departments = {}
        if record is not None:
            self.departments[record.request.department_id] = record.request.department
            if not self.is_bound:
                self.initial["visit_on"] = record.visit_on
                self.initial["lead_department"] = record.request.department_id
        for v in candidates:
            self.departments.setdefault(v.request.department_id, v.request.department)
        self.fields["others"].choices = [
            (v.pk, f"{v.request.number} · {v.request.department.name} · {v.visit_on:%Y-%m-%d}")
            for v in candidates
        ]
        self.fields["lead_department"].choices = [
            (pk, d.name) for pk, d in self.departments.items()
        ]

    def clean_others(self):
        return [self.candidates[pk] for pk in self.cleaned_data["others"]]

    def clean_lead_department(self):
        return self.departments[self.cleaned_data["lead_department"]]


class RecordForm(_Versioned):
    carried_out_on = forms.DateField(widget=forms.DateInput, label=_("carried out on"))
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("findings"))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        if record is not None and not self.is_bound:
            self.initial["carried_out_on"] = record.visit_on


class RateForm(_Versioned):
    rating = forms.ChoiceField(choices=Rating.choices, label=_("rating"))
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("comment")
    )


class ReportForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    department = forms.ModelChoiceField(queryset=None, label=_("department that came"))
    kind = forms.ChoiceField(choices=Kind.choices, label=_("what they came for"))
    visited_on = forms.DateField(widget=forms.DateInput, label=_("date of the visit"))
    what_happened = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("what happened")
    )
    code_shown = forms.CharField(max_length=40, required=False, label=_("code shown, if any"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("channel"))

    def __init__(self, *args, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhaoshang.enterprises.models import Enterprise
        from zhaoshang.org.models import Department

        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            district_id=district_id
        ).order_by("name")
        offer_scope(self.fields["enterprise"], "district", district_id)
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)
