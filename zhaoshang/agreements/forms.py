"""Forms of the agreement and commitment pages. They collect input; the services decide
and save. Field names follow the keys of the services' ValidationErrors (``target_on``,
``steps``, ``schedule`` …) so that ``apply_service_errors`` puts each message in place."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhaoshang.agreements.choices import (
    DEPARTMENT_KINDS,
    TARGET_STAGES,
    ObligationKind,
    Party,
)
from zhaoshang.agreements.models import Obligation, ScheduleTemplate
from zhaoshang.agreements.schedule import Step
from zhaoshang.core import clock
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.org.models import Department, Park, User
from zhaoshang.projects.choices import Stage

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _date(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(), **kwargs)


def _text(label, rows=2, required=True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def staff_of(district_id):
    """Government users of a district (not enterprise accounts), for owner choices."""
    return (
        User.objects.filter(district_id=district_id, is_active=True, enterprise__isnull=True)
        .select_related("department")
        .order_by("department__sort_order", "real_name", "username")
    )


def _person(user) -> str:
    return f"{user.display_name}（{user.department or user.title or '—'}）"


class VersionedForm(BootstrapMixin, forms.Form):
    """A form that carries the version of the record the user read (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# ---------------------------------------------------------------------------------------
# Agreements


class AgreementForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Agreement number"), max_length=60)
    signed_on = _date(_("Signed on"))
    government_party = forms.CharField(label=_("Government party (甲方)"), max_length=100)
    enterprise_party = forms.CharField(label=_("Investing party (乙方)"), max_length=120)
    other_parties = forms.CharField(label=_("Other parties"), max_length=200, required=False)
    contracted_investment = forms.DecimalField(label=_("Contracted investment (10k yuan)"), **MONEY)
    land_area = forms.DecimalField(
        label=_("Land area (mu)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    service_clauses = _text(_("Service clauses"), rows=3, required=False)
    document = forms.FileField(
        label=_("Signed text (PDF or scan)"),
        required=False,
        help_text=_("Kept in the project's document library as a new version of 投资协议."),
    )
    start_by = _date(_("Start of construction by"))
    completion_by = _date(_("Completion by"))
    production_by = _date(_("Start of production by"))
    intensity = forms.DecimalField(
        label=_("Investment intensity (10k yuan per mu)"), max_digits=14, decimal_places=2
    )
    intensity_by = _date(_("Intensity reached by"))
    tax = forms.DecimalField(label=_("Annual tax (10k yuan)"), required=False, **MONEY)
    tax_by = _date(_("Tax reached by"), required=False)
    jobs = forms.IntegerField(label=_("Jobs"), required=False, min_value=0)
    jobs_by = _date(_("Jobs reached by"), required=False)
    output = forms.DecimalField(label=_("Annual output (10k yuan)"), required=False, **MONEY)
    output_by = _date(_("Output reached by"), required=False)
    energy = forms.CharField(
        label=_("Energy saving and emission duty"),
        max_length=200,
        required=False,
        help_text=_("A measurable limit, e.g. 单位产值能耗不高于0.35吨标准煤/万元."),
    )
    energy_by = _date(_("Energy duty met by"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    HEADER = (
        "number",
        "signed_on",
        "government_party",
        "enterprise_party",
        "other_parties",
        "contracted_investment",
        "land_area",
        "service_clauses",
    )
    TERMS = (
        "start_by",
        "completion_by",
        "production_by",
        "intensity",
        "intensity_by",
        "tax",
        "tax_by",
        "jobs",
        "jobs_by",
        "output",
        "output_by",
        "energy",
        "energy_by",
    )

    def header_fields(self):
        return [self[name] for name in self.HEADER]

    def term_rows(self):
        """The terms as (value field or None, date field) pairs, in order."""
        return [
            (None, self["start_by"]),
            (None, self["completion_by"]),
            (None, self["production_by"]),
            (self["intensity"], self["intensity_by"]),
            (self["tax"], self["tax_by"]),
            (self["jobs"], self["jobs_by"]),
            (self["output"], self["output_by"]),
            (self["energy"], self["energy_by"]),
        ]

    def header_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.HEADER}

    def term_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.TERMS}
        if data.get("energy") == "":
            data["energy"] = None
        return data


class ScheduleRowForm(BootstrapMixin, forms.Form):
    due_on = _date(_("Due by"), required=False)
    amount = forms.DecimalField(
        label=_("Cumulative funds in place (10k yuan)"), required=False, **MONEY
    )

    def clean(self):
        data = super().clean()
        due, amount = data.get("due_on"), data.get("amount")
        if due is None and amount is not None:
            self.add_error("due_on", _("Give the date by which this amount is due."))
        if due is not None and amount is None:
            self.add_error("amount", _("Give the cumulative amount due by this date."))
        return data


ScheduleFormSet = forms.formset_factory(ScheduleRowForm, extra=3, can_delete=False)


def schedule_rows(formset) -> list:
    return [
        (f.cleaned_data["due_on"], f.cleaned_data["amount"])
        for f in formset.forms
        if f.cleaned_data.get("due_on") is not None and f.cleaned_data.get("amount") is not None
    ]


# ---------------------------------------------------------------------------------------
# Obligations


class ObligationForm(BootstrapMixin, forms.Form):
    party = forms.ChoiceField(label=_("Owed by"), choices=Party.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    title = forms.CharField(label=_("Obligation"), max_length=120)
    kind = forms.ChoiceField(label=_("Measured by"), choices=ObligationKind.choices)
    target_amount = forms.DecimalField(
        label=_("Target figure"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("For a figure: funds, investment, tax, output (10k yuan), jobs, intensity."),
    )
    target_stage = forms.ChoiceField(label=_("Target stage"), required=False)
    target_text = forms.CharField(
        label=_("Target"),
        max_length=200,
        required=False,
        help_text=_("For a service or an energy duty: what is delivered, measurably."),
    )
    due_on = _date(_("Due on"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, district_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(district_id=district_id)
        self.fields["target_stage"].choices = [("", "—")] + [
            (s.value, s.label) for s in Stage if s in TARGET_STAGES
        ]
        self.fields["kind"].help_text = _(
            "A department owes a service or a stage (%(kinds)s); funds, investment and stages "
            "follow the project's records, the rest is confirmed with evidence."
        ) % {"kinds": "、".join(str(ObligationKind(k).label) for k in DEPARTMENT_KINDS)}

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data["party"] != Party.DEPARTMENT:
            data["department"] = None
        return data


class ConfirmForm(VersionedForm):
    met_on = _date(_("Met on"), initial=clock.today)
    evidence = forms.FileField(
        label=_("Evidence"), help_text=_("完税证明, 社保缴纳证明, 检测或验收报告 … (PDF, image)")
    )
    note = _text(_("Note"), required=False)


class WaiveForm(VersionedForm):
    waived_on = _date(_("Waived on"), initial=clock.today)
    reason = _text(_("Reason (e.g. the supplementary agreement)"))


# ---------------------------------------------------------------------------------------
# Commitments


class CommitmentForm(BootstrapMixin, forms.Form):
    select_depends_on = {"owner": "department"}  # the committing department's people

    department = forms.ModelChoiceField(
        label=_("Committing department"), queryset=Department.objects.none()
    )
    title = forms.CharField(label=_("Commitment"), max_length=120)
    content = _text(_("What is promised"), rows=3)
    clause = forms.CharField(label=_("Agreement clause"), max_length=120, required=False)
    obligation = forms.ModelChoiceField(
        label=_("Agreement obligation fulfilled"),
        queryset=Obligation.objects.none(),
        required=False,
    )
    owner = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=User.objects.none(), required=False
    )
    start_on = _date(_("Planning from"), initial=clock.today)
    target_on = _date(_("Target date"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, project, departments, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if editing:
            del self.fields["department"]
        self.fields["obligation"].queryset = Obligation.objects.filter(
            agreement__project=project, party=Party.DEPARTMENT
        ).select_related("department")
        self.fields["obligation"].label_from_instance = lambda o: (
            f"{o.department} · {o.description} · {o.due_on:%Y-%m-%d}"
        )
        self.fields["owner"].queryset = staff_of(project.district_id)
        self.fields["owner"].label_from_instance = _person
        self.fields["start_on"].help_text = _("The schedule counts working days after this day.")

    def service_data(self) -> dict:
        names = ("title", "content", "clause", "obligation", "owner", "start_on", "target_on")
        return {name: self.cleaned_data[name] for name in names}


class StepForm(BootstrapMixin, forms.Form):
    """A step of a reverse schedule. The owner choices are read once for the whole formset
    (``BaseStepFormSet``), not once per row."""

    milestone = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Step"), max_length=120, required=False)
    duration = forms.IntegerField(
        label=_("Working days"), required=False, min_value=1, max_value=999
    )
    owner_department = forms.TypedChoiceField(
        label=_("Owner department"), coerce=int, required=False, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, department_choices=(), owner_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_department"].choices = [("", "—"), *department_choices]
        self.fields["owner"].choices = [("", "—"), *owner_choices]

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        name, duration = (data.get("name") or "").strip(), data.get("duration")
        if name and duration is None:
            self.add_error(
                "duration", _("Give the working days “%(name)s” takes.") % {"name": name}
            )
        if duration is not None and not name:
            self.add_error("name", _("Name the step."))
        return data


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, district_id=None, **kwargs):
        self.district_id = district_id
        self.departments = (
            {d.pk: d for d in Department.objects.filter(district_id=district_id)}
            if district_id is not None
            else {}
        )
        self.people = {u.pk: u for u in staff_of(district_id)} if district_id is not None else {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["department_choices"] = [(pk, d.name) for pk, d in self.departments.items()]
        kwargs["owner_choices"] = [(pk, _person(u)) for pk, u in self.people.items()]
        return kwargs

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        return form

    def steps(self) -> list[tuple[int | None, Step]]:
        """(milestone id or None, step) for the filled rows, in order."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not (data.get("name") or "").strip():
                continue
            rows.append(
                (
                    data.get("milestone"),
                    Step(
                        data["name"].strip(),
                        data["duration"],
                        self.departments.get(data.get("owner_department")),
                        self.people.get(data.get("owner")),
                    ),
                )
            )
        return rows


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=2, can_delete=True)


class TemplateChoiceForm(BootstrapMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("Fill the steps from a template"),
        queryset=ScheduleTemplate.objects.none(),
        required=False,
    )

    def __init__(self, *args, district_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ScheduleTemplate.objects.filter(
            district_id=district_id, is_active=True
        )
        self.fields["template"].empty_label = _("(no template)")


class ProgressForm(VersionedForm):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    done_on = _date(_("Done on"), required=False)
    note = forms.CharField(label=_("Progress note"), max_length=200, required=False)


class RescheduleForm(VersionedForm):
    due_on = _date(_("New due date"))
    reason = _text(_("Reason"))


class FileForm(VersionedForm):
    note = forms.CharField(
        label=_("Filing note"),
        max_length=200,
        required=False,
        help_text=_("What changed, for the park committee."),
    )


class ChangeRequestForm(VersionedForm):
    """A change of a filed commitment: a new due date for each milestone that moves (the
    others left blank), the target date if it moves, and the reason. Every field is
    checked by the service, so that one answer names every problem."""

    target_on = _date(
        _("New target date"),
        required=False,
        help_text=_("Only if the commitment's target date moves."),
    )
    reason = _text(_("Reason for the change"), rows=2, required=False)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        for m in self.milestones:
            field = _date(
                f"{m.seq}. {m.name}",
                required=False,
                help_text=_("Due on %(date)s as filed") % {"date": m.due_on.isoformat()},
            )
            field.widget.attrs["class"] = "form-control"
            field.widget.input_type, field.widget.format = "date", "%Y-%m-%d"
            self.fields[f"due_{m.pk}"] = field

    def moves(self) -> list:
        """(milestone, new due date) of each milestone given a new date."""
        data = self.cleaned_data
        return [(m, data[f"due_{m.pk}"]) for m in self.milestones if data.get(f"due_{m.pk}")]


class DecisionForm(VersionedForm):
    """Approve or refuse a change request; a refusal gives its reason."""

    note = _text(_("Reason"), rows=2, required=False)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None and not self.is_bound:
            self.initial["version"] = record.version


# ---------------------------------------------------------------------------------------
# List filters

LIGHT_CHOICES = [
    ("", _("All")),
    (Light.RED.value, Light.RED.label),
    (Light.YELLOW.value, Light.YELLOW.label),
    (Light.GREEN.value, Light.GREEN.label),
]


class CommitmentFilterForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    light = forms.ChoiceField(label=_("Light"), choices=LIGHT_CHOICES, required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Running")),
            ("completed", pgettext_lazy("commitment state", "Completed")),
            ("unfiled", _("To be filed")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args, user, own_department_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if own_department_only:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)
            self.fields["department"].empty_label = _("All")


class MilestoneFilterForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Owner department"), queryset=Department.objects.none(), required=False
    )
    light = forms.ChoiceField(label=_("Light"), choices=LIGHT_CHOICES, required=False)

    def __init__(self, *args, user, own_department_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if own_department_only:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)
            self.fields["department"].empty_label = _("All")


class ArchiveFilterForm(BootstrapMixin, forms.Form):
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Committing department"), queryset=Department.objects.none(), required=False
    )
    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = Park.objects.visible_to(user)
        self.fields["park"].empty_label = _("All")
        self.fields["department"].queryset = Department.objects.visible_to(user)
        self.fields["department"].empty_label = _("All")
