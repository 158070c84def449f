"""Forms of the land pages; the services check the rules again."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock, roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import every_option, offer_scope
from zhaoshang.land.choices import (
    TRANSITIONS,
    Decision,
    Half,
    LandUse,
    ParcelStatus,
)
from zhaoshang.org.models import Park
from zhaoshang.projects.models import Project


class _Versioned(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


def _parks(user, district_id):
    parks = Park.objects.filter(district_id=district_id)
    if roles.has_role(user, roles.Role.ADMIN, roles.Role.BUREAU):
        return parks
    rule = Q(pk__in=[])
    if roles.has_role(user, roles.Role.PARK):
        if user.park_id:
            rule |= Q(pk=user.park_id)
        if user.department_id:
            rule |= Q(committee_id=user.department_id)
    return parks.filter(rule)


class ParcelForm(_Versioned):
    code = forms.CharField(max_length=40, label=_("parcel number"))
    name = forms.CharField(max_length=120, label=_("name"))
    location = forms.CharField(max_length=200, required=False, label=_("location"))
    park = forms.ModelChoiceField(queryset=None, label=_("park"))
    area = forms.DecimalField(max_digits=10, decimal_places=2, label=_("area (mu)"))
    land_use = forms.ChoiceField(choices=LandUse.choices, label=_("land use"))
    status = forms.ChoiceField(
        choices=[
            (s, label)
            for s, label in ParcelStatus.choices
            if s in (ParcelStatus.RESERVE, ParcelStatus.RESERVED, ParcelStatus.SUPPLIED)
        ],
        label=_("status"),
    )
    project = forms.ModelChoiceField(queryset=None, required=False, label=_("project"))
    delivered_on = forms.DateField(required=False, label=_("delivered on (交地日期)"))
    land_price = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, label=_("land price (10k yuan)")
    )
    agreed_start_on = forms.DateField(
        required=False,
        label=_("agreed start of construction"),
        help_text=_(
            "As the land contract (出让合同 or 划拨决定书) says: the national idle-land rule "
            "counts from it. Left empty, the start term of the project's investment agreement "
            "is used."
        ),
    )
    contract_number = forms.CharField(
        max_length=60, required=False, label=_("land contract number")
    )
    plot_ratio = forms.DecimalField(
        max_digits=6, decimal_places=2, required=False, label=_("plot ratio")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("note")
    )

    def __init__(self, *args, user=None, district_id=None, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        self.fields["park"].queryset = _parks(user, district_id)
        self.fields["project"].queryset = Project.objects.filter(district_id=district_id).order_by(
            "code"
        )
        offer_scope(self.fields["project"], "district", district_id)
        if record is not None:
            del self.fields["status"]
            if not self.is_bound:
                for name in self.fields:
                    if name != "version":
                        value = getattr(record, name)
                        self.initial[name] = getattr(value, "pk", value)


class StatusForm(_Versioned):
    status = forms.ChoiceField(choices=(), label=_("new status"))
    on = forms.DateField(
        required=False,
        label=_("date"),
        help_text=_("The delivery, idle or recovery date; today when left empty."),
    )
    project = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("project"),
        # The parcel's park's projects only: the district-wide autocomplete would offer others.
        widget=every_option(),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("reason")
    )
    document = forms.CharField(
        max_length=100,
        required=False,
        label=_("decision document number"),
        help_text=_("Required for a recovery (收回决定书文号)."),
    )

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        allowed = TRANSITIONS.get(record.status, ()) if record is not None else ()
        self.fields["status"].choices = [
            (s, label) for s, label in ParcelStatus.choices if s in allowed
        ]
        self.fields["project"].queryset = (
            Project.objects.filter(district_id=record.district_id, park_id=record.park_id)
            if record is not None
            else Project.objects.none()
        )


class ParcelFilterForm(forms.Form):
    park = forms.ModelChoiceField(
        queryset=None, required=False, label=_("park"), empty_label=_("All")
    )
    status = forms.ChoiceField(
        choices=[("", _("All"))] + ParcelStatus.choices, required=False, label=_("status")
    )
    land_use = forms.ChoiceField(
        choices=[("", _("All"))] + LandUse.choices, required=False, label=_("land use")
    )
    clock = forms.ChoiceField(
        choices=[
            ("", _("All")),
            ("running", _("Clock running")),
            ("idle", _("Idle: fee due")),
            ("recoverable", _("May be recovered without compensation")),
        ],
        required=False,
        label=_("idle-land clock"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parks = Park.objects.order_by("district", "id")
        if not roles.sees_all_districts(user):
            parks = parks.filter(district_id=getattr(user, "district_id", None))
        self.fields["park"].queryset = parks


class CampaignForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(min_value=2000, label=_("year"))
    half = forms.ChoiceField(choices=Half.choices, label=_("half-year"))
    as_of = forms.DateField(
        required=False,
        label=_("campaign date"),
        help_text=_("The date the projects are measured on; today when left empty."),
    )
    signed_months = forms.IntegerField(
        min_value=1, max_value=120, initial=6, label=_("signed, not started: months after signing")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("note")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = clock.today()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("half", Half.H1 if today.month <= 6 else Half.H2)


class DecideForm(_Versioned):
    decision = forms.ChoiceField(choices=Decision.choices, label=_("disposal decision"))
    deadline = forms.DateField(
        required=False,
        label=_("deadline"),
        help_text=_(
            "Rectify by (限期整改), put to use by (盘活利用), or the date the enterprise is "
            "given before the recovery or clearance proceeds. Watched by the daily scan."
        ),
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("reason"))
    facts_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("reason for deciding against the facts"),
        help_text=_(
            "Needed when the decision contradicts the record: clearing out a project that "
            "started building, or recovering a parcel idle for less than a year."
        ),
    )

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        if record is not None and not self.is_bound and record.decision:
            self.initial.update(
                decision=record.decision,
                deadline=record.deadline,
                reason=record.decision_reason,
                facts_reason=record.facts_reason,
            )


class RectifiedForm(_Versioned):
    on = forms.DateField(required=False, label=_("date"), help_text=_("Today when left empty."))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("what was rectified")
    )


class ExitDoneForm(_Versioned):
    on = forms.DateField(
        required=False, label=_("exited on"), help_text=_("Today when left empty.")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("note")
    )
    document = forms.FileField(
        required=False,
        label=_("clearance decision (清退决定书)"),
        help_text=_("Needed unless the project's documents already hold it."),
    )


class CloseForm(_Versioned):
    pass
