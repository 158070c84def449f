"""Forms of the project pages. They collect input; the services decide and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import offer_scope
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, District, Industry, Park, User, WorkingGroup
from zhaoshang.projects.choices import (
    PRODUCING_STAGES,
    Condition,
    FundsOrigin,
    FundsUse,
    Level,
    ProjectKind,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import FundsEntry, MaterialType, MonthlyReport, Project
from zhaoshang.projects.services import EDITABLE_FIELDS, progress, registry
from zhaoshang.projects.services.progress import CORRECTION_FIELDS


class ProjectFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, code, enterprise, credit code or pinyin initials")}
        ),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False
    )
    level = forms.ChoiceField(label=_("Level"), required=False)
    condition = forms.ChoiceField(label=_("Condition"), required=False)
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    # This month's changes (the bureau's home links to each) and, for the city, a district.
    SIGNED, STARTED, MOVED = "signed", "started", "moved"
    changed = forms.ChoiceField(label=_("Changed this month"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    # The projects I manage or serve as secretary, and those owing last month's monthly
    # report (the team's home links to both together).
    mine = forms.BooleanField(label=_("Projects I manage or serve as secretary"), required=False)
    report_missing = forms.BooleanField(
        label=_("Last month's monthly report missing"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["changed"].choices = blank + [
            (self.SIGNED, _("Signed this month")),
            (self.STARTED, _("Started this month")),
            (self.MOVED, _("Changed stage this month")),
        ]
        if roles.sees_all_districts(user):
            self.fields["district"].queryset = District.objects.visible_to(user)
            self.fields["district"].empty_label = _("All")
        else:
            del self.fields["district"]
        self.fields["stage"].choices = blank + list(Stage.choices)
        self.fields["level"].choices = blank + list(Level.choices)
        self.fields["condition"].choices = blank + list(Condition.choices)
        self.fields["kind"].choices = blank + list(ProjectKind.choices)
        self.fields["park"].queryset = Park.objects.visible_to(user).select_related("district")
        self.fields["industry"].queryset = Industry.objects.visible_to(user)
        self.fields["working_group"].queryset = WorkingGroup.objects.visible_to(user)
        for name in ("park", "industry", "working_group"):
            self.fields[name].empty_label = _("All")


class ProjectForm(BootstrapMixin, forms.ModelForm):
    """Create and edit a project's own fields (not stage, condition or team)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = [*EDITABLE_FIELDS, "paired_departments"]
        widgets = {
            "planned_start_on": forms.DateInput(),
            "planned_completion_on": forms.DateInput(),
            "planned_production_on": forms.DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "energy_commitment": forms.Textarea(attrs={"rows": 2}),
            "paired_departments": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(district=district)
        offer_scope(self.fields["enterprise"], "district", district.pk)
        self.fields["industry"].queryset = Industry.objects.filter(district=district)
        self.fields["park"].queryset = Park.objects.filter(district=district)
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(district=district)
        self.fields["paired_departments"].queryset = Department.objects.filter(district=district)
        self.fields["designated_leader"].queryset = User.objects.filter(
            district=district, groups__name="leader"
        ).distinct()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        # The service's checks of dates and figures, said with the fields' own errors
        # (a missing name and a completion before the start in one answer).
        data = super().clean()
        for field, messages in registry.plan_errors(data).items():
            for message in messages:
                self.add_error(field, message)
        return data

    def _post_clean(self):
        # Model validation runs in the service (with locking); the form only parses.
        pass


class StageField(forms.ChoiceField):
    """The target stage. It offers only the moves the service accepts (``stage_moves``);
    a stage posted that is not offered still goes on to the service, whose refusal names
    why (a skipped stage names the next one) rather than a bare “not a valid choice”."""

    def valid_value(self, value):
        return value in Stage.values


# The groups of the stage choices, by the kind of move (``StageMove.kind``).
MOVE_GROUPS = {
    "next": _("Next stage"),
    "end": _("End (with reason)"),
    "back": _("Move back (with reason)"),
    "reopen": _("Reopen (with reason)"),
}


def stage_choices(moves) -> list:
    """The choices of the moves not blocked, grouped by kind: next, end, back, reopen."""
    grouped = {kind: [] for kind in MOVE_GROUPS}
    for move in moves:
        if not move.blockers:
            grouped[move.kind].append((move.stage, move.label))
    return [(MOVE_GROUPS[kind], rows) for kind, rows in grouped.items() if rows]


class StageChangeForm(BootstrapMixin, forms.Form):
    to_stage = StageField(label=_("New stage"))
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when moving back, terminating, exiting or reopening."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args, project: Project, moves, evidence_types: list[MaterialType], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = stage_choices(moves)
        self.fields["version"].initial = project.version
        for material in evidence_types:
            self.fields[f"evidence_{material.code}"] = forms.FileField(
                label=material.label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
            )

    def offered_stages(self) -> list[str]:
        """The stages the form offers, in its order."""
        return [value for _group, rows in self.fields["to_stage"].choices for value, _l in rows]

    def evidence_files(self) -> dict:
        return {
            name.removeprefix("evidence_"): f
            for name, f in self.files.items()
            if name.startswith("evidence_") and f
        }


class ConditionForm(BootstrapMixin, forms.Form):
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    condition_reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamMemberForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Team role"), choices=TeamRole.choices)
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(district=district, is_active=True, enterprise__isnull=True)
            .select_related("department")
            .order_by("rank", "real_name")
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.display_name}（{u.get_rank_display() or '—'}，{u.department or '—'}）"
        )


class DocumentUploadForm(BootstrapMixin, forms.Form):
    material_type = forms.ModelChoiceField(label=_("Material"), queryset=MaterialType.objects.all())
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class _CorrectionMixin:
    """The two fields of a correction (更正) and the service's own check, run in
    ``clean`` on the fields that parsed, so that the page names every problem at once
    (a field left empty and a figure going back, say) instead of one round at a time."""

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["is_correction"].help_text = _(
            "A correction may take a figure back (a lower cumulative figure, a negative "
            "amount) or change a month already filed; it names its reason, and the "
            "earlier records stay as they were."
        )
        self.fields["correction_reason"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["correction_reason"].widget.attrs["class"] = "form-control"

    def service_errors(self, data) -> dict:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        for field, messages in self.service_errors(data).items():
            for message in messages:
                if field not in self.errors or message not in self.errors[field]:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def _post_clean(self):
        # Model validation runs in the service; the form only parses and checks.
        pass


class FundsForm(_CorrectionMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FundsEntry
        fields = ["received_on", "amount", "origin", "use", "note", *CORRECTION_FIELDS]
        widgets = {"received_on": forms.DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = FundsOrigin.choices
        self.fields["use"].choices = FundsUse.choices

    def service_errors(self, data) -> dict:
        return progress.funds_errors(self.project, data)


class MonthlyReportForm(_CorrectionMixin, BootstrapMixin, forms.ModelForm):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    class Meta:
        model = MonthlyReport
        fields = [
            "month",
            "investment_this_month",
            "investment_cumulative",
            "funds_this_month",
            "jobs",
            "output_this_month",
            "tax_this_month",
            "image_progress",
            "problems",
            *CORRECTION_FIELDS,
        ]
        widgets = {
            "image_progress": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.input_type = "month"
        self.fields["month"].widget.format = "%Y-%m"
        if self.project.stage not in PRODUCING_STAGES:  # output and tax once producing
            for field in progress.PRODUCTION_FIGURES:
                del self.fields[field]

    def service_errors(self, data) -> dict:
        errors = progress.monthly_report_errors(self.project, data)
        # The site photos (a list beside the fields): checked here too, in the same answer.
        if problems := progress.photo_errors(self.files.getlist("photos") if self.files else ()):
            errors.setdefault("photos", []).extend(problems)
        return errors
