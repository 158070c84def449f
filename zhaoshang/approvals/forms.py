"""Forms of the approval pages. They collect input; the services decide and save.

Field names follow the keys of the services' ValidationErrors (``accepted_on``,
``extension_reason`` …) so that ``apply_service_errors`` puts each message next to its field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.approvals.choices import (
    OPEN_STATUSES,
    CaseStatus,
    PauseKind,
)
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.core.roles import Role
from zhaoshang.core.validators import validate_upload
from zhaoshang.org.models import Department, User
from zhaoshang.projects.models import MaterialType, Project

PAUSED = "paused"


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, initial=clock.today, widget=forms.DateInput())


def _reason(label, rows: int = 2, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def users_with_roles(district_id, *role_names: str):
    return (
        User.objects.filter(district_id=district_id, is_active=True, groups__name__in=role_names)
        .distinct()
        .order_by("real_name", "username")
    )


def _person(user) -> str:
    return f"{user.display_name}（{user.title or user.department or '—'}）"


class WorklistFilterForm(BootstrapMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    light = forms.ChoiceField(label=_("Light"), required=False)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    item = forms.ModelChoiceField(
        label=_("Approval item"), queryset=ApprovalItem.objects.none(), required=False
    )
    green = forms.BooleanField(label=_("Green channel only"), required=False)
    # The project team's view (the home of a secretary or manager): the cases of the
    # projects they manage or serve as secretary, and those no receipt (回执单) records a
    # visit for yet.
    mine = forms.BooleanField(label=_("Projects I manage or serve as secretary"), required=False)
    no_receipt = forms.BooleanField(label=_("No receipt filed yet"), required=False)

    def __init__(self, *args, user, own_department_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["status"].choices = blank + [
            (s.value, s.label) for s in CaseStatus if s in OPEN_STATUSES
        ]
        self.fields["light"].choices = blank + [
            (Light.GREEN.value, Light.GREEN.label),
            (Light.YELLOW.value, Light.YELLOW.label),
            (Light.RED.value, Light.RED.label),
            (PAUSED, _("Paused")),
        ]
        if own_department_only:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)
            self.fields["department"].empty_label = _("All")
        # Any project the user sees (its autocomplete offers those, issue 19.3): one without
        # cases filters the list down to none.
        self.fields["project"].queryset = Project.objects.visible_to(user)
        self.fields["project"].label_from_instance = lambda p: f"{p.code} {p.name}"
        self.fields["project"].empty_label = _("All")
        self.fields["item"].queryset = ApprovalItem.objects.visible_to(user)
        self.fields["item"].empty_label = _("All")


# ---------------------------------------------------------------------------------------
# Actions on a case. Every form carries the version the user read (optimistic locking).


class CaseActionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case: ApprovalCase, **kwargs):
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)
        self.case = case


class MaterialsCompleteForm(CaseActionForm):
    materials_complete_on = _date(_("Materials complete on"))


class AcceptForm(CaseActionForm):
    accepted_on = _date(_("Accepted on"))
    pledge_materials = _reason(_("Materials still missing (容缺受理)"), required=False)
    pledge_due_on = forms.DateField(
        label=_("The enterprise pledges them by"), required=False, widget=forms.DateInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pledge_materials"].help_text = _(
            "Only to accept with minor materials missing on the enterprise's written pledge."
        )


class StartForm(CaseActionForm):
    pass


class PauseForm(CaseActionForm):
    kind = forms.ChoiceField(label=_("Kind of pause"))
    reason = _reason(_("Reason"))
    started_on = _date(_("From"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [PauseKind.SUPPLEMENT, PauseKind.HEARING, PauseKind.EXPERT_REVIEW]
        kinds.append(PauseKind.SITE_SURVEY)
        if self.case.status == CaseStatus.PENDING:
            # Before acceptance the only wait is for the enterprise's materials.
            kinds = [PauseKind.SUPPLEMENT]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class ResumeForm(CaseActionForm):
    ended_on = _date(_("Resumed on"))


class ExtendForm(CaseActionForm):
    extension_reason = _reason(_("Special circumstances"))
    extension_approver = forms.ModelChoiceField(
        label=_("Approved by"), queryset=User.objects.none()
    )
    extended_on = _date(_("Approved on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["extension_approver"]
        field.queryset = users_with_roles(self.case.district_id, Role.LEADER, Role.ADMIN)
        field.label_from_instance = _person


class TransferForm(CaseActionForm):
    to_department = forms.ModelChoiceField(
        label=_("To department"), queryset=Department.objects.none()
    )
    reason = _reason(_("Reason"))
    transferred_on = _date(_("Date"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_department"].queryset = Department.objects.filter(
            district_id=self.case.district_id
        ).exclude(pk=self.case.department_id)


class ReportForm(CaseActionForm):
    reported_to = forms.CharField(label=_("Reported to"), max_length=100)
    reported_on = _date(_("Reported on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_to"].widget.attrs["placeholder"] = _(
            "e.g. the city's ecology and environment bureau"
        )


class CompleteForm(CaseActionForm):
    done_on = _date(_("Done on"))
    higher_answer = _reason(_("Answer of the higher authority"), rows=3, required=False)
    approval_number = forms.CharField(
        label=_("Approval number"),
        max_length=60,
        required=False,
        help_text=_(
            "The approval's document or permit number (批准文号), shown to the enterprise."
        ),
    )
    certificate = forms.FileField(
        label=_("Certificate"),
        required=False,
        help_text=_("The approval or certificate issued (PDF, image), shown to the enterprise."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case.status != CaseStatus.REPORTED:
            del self.fields["higher_answer"]

    def clean_certificate(self):
        """Checked with the other fields, so that the form names every problem at once
        (the service checks it again)."""
        certificate = self.cleaned_data.get("certificate")
        if certificate:
            validate_upload(certificate)
        return certificate


class ReturnForm(CaseActionForm):
    return_reason = _reason(_("Reason for return"))
    returned_on = _date(_("Returned on"))


class FulfilPledgeForm(CaseActionForm):
    pledge_fulfilled_on = _date(_("Pledged materials received on"))


# ---------------------------------------------------------------------------------------
# The project's approvals tab


class GreenChannelForm(BootstrapMixin, forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent (代办员)"), queryset=User.objects.none())

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = users_with_roles(project.district_id, Role.SERVICE_CENTER)
        self.fields["agent"].label_from_instance = _person


class RegisterCaseForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Approval item"), queryset=ApprovalItem.objects.none())
    agent = forms.ModelChoiceField(
        label=_("Agent (代办员)"), queryset=User.objects.none(), required=False
    )
    applied_on = forms.DateField(
        label=_("Applied at the window on"),
        required=False,
        widget=forms.DateInput(),
        help_text=_(
            "When the application reached the service center before today: the working days "
            "from complete materials to registration are the service center's."
        ),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = (
            ApprovalItem.objects.filter(district_id=project.district_id, is_active=True)
            .exclude(cases__project=project)
            .select_related("department")
        )
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.name}（{i.department}）"
        self.fields["agent"].queryset = users_with_roles(project.district_id, Role.SERVICE_CENTER)
        self.fields["agent"].label_from_instance = _person
        self.fields["agent"].empty_label = _("None")


class JointDecisionForm(BootstrapMixin, forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases approved together"),
        queryset=ApprovalCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    decided_on = _date(_("Decided on"))
    document_number = forms.CharField(label=_("Document number"), max_length=60)
    note = _reason(_("Note"), required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (
            ApprovalCase.objects.filter(project=project, status__in=OPEN_STATUSES)
            .select_related("item")
            .order_by("item__sort_order", "id")
        )
        self.fields["cases"].label_from_instance = lambda c: c.item.name
        # Rendered one checkbox at a time by the template (each box gets this class).
        self.fields["cases"].widget.attrs["class"] = "form-check-input"


# ---------------------------------------------------------------------------------------
# The catalogue


class ItemForm(BootstrapMixin, forms.ModelForm):
    """An item's settings and prerequisites (the prerequisites go through the service,
    which rejects a cycle and names it)."""

    prerequisites = forms.ModelMultipleChoiceField(
        label=_("Prerequisites"),
        queryset=ApprovalItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Items that must be done first. A cycle is refused."),
    )

    CHECKBOX_LISTS = ("materials", "prerequisites")

    class Meta:
        model = ApprovalItem
        fields = [
            "code",
            "name",
            "department",
            "level",
            "phase",
            "time_limit",
            "time_limit_unit",
            "special_time_limit",
            "statutory_limit",
            "statutory_limit_unit",
            "special_procedure",
            "materials",
            "legal_basis",
            "in_green_channel",
            "is_active",
            "sort_order",
        ]
        widgets = {"materials": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        self.fields["department"].queryset = Department.objects.filter(district_id=item.district_id)
        self.fields["materials"].queryset = MaterialType.objects.all()
        self.fields["prerequisites"].queryset = (
            ApprovalItem.objects.filter(district_id=item.district_id)
            .exclude(pk=item.pk)
            .order_by("sort_order", "id")
        )
        self.fields["prerequisites"].label_from_instance = lambda i: f"{i.code} {i.name}"
        for name in self.CHECKBOX_LISTS:
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if item.pk and not self.is_bound:
            self.initial["prerequisites"] = list(item.prerequisites.values_list("pk", flat=True))
