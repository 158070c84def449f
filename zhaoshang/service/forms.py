"""Forms of the service pages. They collect input; the services decide and save.

Field names follow the keys of the services' ValidationErrors (``visited_on``,
``owner_department`` …) so that ``apply_service_errors`` puts each message by its field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.core.widgets import offer_scope, register_scope
from zhaoshang.org.models import Department, User
from zhaoshang.projects.models import Project
from zhaoshang.service.choices import (
    NeedCategory,
    NeedStatus,
    Period,
    RaisedVia,
    ReceiptResult,
    SecondRoundKind,
)
from zhaoshang.service.services import MAX_NEED_WORKDAYS


def _text(label, rows: int = 3, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _person(user) -> str:
    return f"{user.display_name}（{user.department or user.title or '—'}）"


def _staff_of_district(district_id):
    return (
        User.objects.filter(district_id=district_id, is_active=True, department__isnull=False)
        .select_related("department")
        .order_by("department__sort_order", "department_id", "real_name", "username")
    )


class ReceiptForm(BootstrapMixin, forms.Form):
    """手续办理回执单: what the secretary writes down after a visit to a department."""

    select_depends_on = {"handler_user": "department"}  # the visited department's people

    visited_on = forms.DateField(
        label=_("Date of visit"), initial=clock.today, widget=forms.DateInput()
    )
    department = forms.ModelChoiceField(
        label=_("Department visited"), queryset=Department.objects.none()
    )
    handler_name = forms.CharField(
        label=_("Handler"),
        max_length=40,
        required=False,
        help_text=_("The person of the department who received you."),
    )
    handler_user = forms.ModelChoiceField(
        label=_("Handler account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: when the handler uses the platform."),
    )
    matter = forms.CharField(label=_("Matter"), max_length=200)
    approval_case = forms.ModelChoiceField(
        label=_("Approval case"), queryset=ApprovalCase.objects.none(), required=False
    )
    work_done = _text(_("What was done"), rows=4)
    result = forms.ChoiceField(label=_("Result"), choices=ReceiptResult.choices)
    problems = _text(
        _("Problems needing coordination"),
        rows=3,
        required=False,
        help_text=_("Required when the result is “needs coordination”."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["department"].queryset = Department.objects.filter(
            district_id=project.district_id
        )
        handlers = self.fields["handler_user"]
        handlers.queryset = _staff_of_district(project.district_id)
        handlers.label_from_instance = _person
        cases = self.fields["approval_case"]
        cases.queryset = ApprovalCase.objects.filter(project=project).select_related("item")
        cases.label_from_instance = lambda c: f"{c.item.name}（{c.get_status_display()}）"


class ReceiptCorrectionForm(ReceiptForm):
    correction_reason = forms.CharField(label=_("Reason for the correction"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InstructionForm(BootstrapMixin, forms.Form):
    """批示: the leader's words on a receipt."""

    text = _text(_("Instruction"), rows=3)
    written_on = forms.DateField(label=_("Date"), initial=clock.today, widget=forms.DateInput())


class ActionItemForm(BootstrapMixin, forms.Form):
    """One supervised action item (督办事项) the instruction orders."""

    select_depends_on = {"owner_person": "owner_department"}  # the department's people

    title = forms.CharField(
        label=_("Action item"),
        max_length=120,
        required=False,
        help_text=_("What is to be done; the instruction's words when left empty."),
    )
    owner_department = forms.ModelChoiceField(
        label=_("Owner department"), queryset=Department.objects.none(), required=False
    )
    owner_person = forms.ModelChoiceField(
        label=_("Owner person"), queryset=User.objects.none(), required=False
    )
    due_workdays = forms.IntegerField(
        label=_("Due in working days"), required=False, min_value=1, max_value=250
    )
    due_on = forms.DateField(label=_("or due on"), required=False, widget=forms.DateInput())

    def __init__(self, *args, district_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["placeholder"] = self.fields["title"].help_text
        self.fields["owner_department"].queryset = Department.objects.filter(
            district_id=district_id
        )
        people = self.fields["owner_person"]
        people.queryset = _staff_of_district(district_id)
        people.label_from_instance = _person

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("title", "owner_department", "owner_person"))


class BaseActionItemFormSet(forms.BaseFormSet):
    def items(self) -> list[tuple[int, dict]]:
        """(form index, data) of the rows filled in; the first row always counts, so that an
        empty instruction is refused by the service with the owner named."""
        rows = []
        for index, form in enumerate(self.forms):
            if index and form.is_blank():
                continue
            rows.append((index, dict(form.cleaned_data)))
        return rows


ActionItemFormSet = forms.formset_factory(
    ActionItemForm, formset=BaseActionItemFormSet, extra=3, max_num=10
)


class NeedForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = _text(_("Description"), rows=4)
    department = forms.ModelChoiceField(
        label=_("Assigned department"), queryset=Department.objects.none()
    )
    due_workdays = forms.IntegerField(
        label=_("Time limit (working days)"),
        min_value=1,
        max_value=MAX_NEED_WORKDAYS,
        initial=5,
        help_text=_("The due date is counted in working days from the day it is raised."),
    )
    receipt = forms.ModelChoiceField(label=_("From receipt"), queryset=None, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        from zhaoshang.service.models import Receipt

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            district_id=project.district_id
        )
        receipts = self.fields["receipt"]
        receipts.queryset = Receipt.objects.filter(project=project).select_related("department")
        receipts.label_from_instance = lambda r: f"{r.number} · {r.department} · {r.matter}"


class NeedActionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, need, **kwargs):
        kwargs.setdefault("initial", {})["version"] = need.version
        super().__init__(*args, **kwargs)
        self.need = need


class StartNeedForm(NeedActionForm):
    pass


class ResolveNeedForm(NeedActionForm):
    resolution = _text(_("How it was solved"), rows=3)
    resolved_on = forms.DateField(
        label=_("Solved on"), initial=clock.today, widget=forms.DateInput()
    )


class EscalateNeedForm(NeedActionForm):
    escalation_note = _text(_("Why a joint meeting is needed"), rows=3)


class CloseNeedForm(NeedActionForm):
    resolution = _text(_("Reason for closing"), rows=2)


# The project filters' autocomplete scopes (core.widgets.register_scope): the projects the
# user sees that have what the page lists.


@register_scope("projects.project", "needs")
def projects_with_needs(user, arg):
    return Project.objects.visible_to(user).filter(needs__isnull=False).distinct().order_by("code")


@register_scope("projects.project", "receipts")
def projects_with_receipts(user, arg):
    return (
        Project.objects.visible_to(user).filter(receipts__isnull=False).distinct().order_by("code")
    )


@register_scope("projects.project", "my-receipts")
def projects_with_my_receipts(user, arg):
    return (
        Project.objects.visible_to(user)
        .filter(receipts__addressee=user)
        .distinct()
        .order_by("code")
    )


class NeedFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    light = forms.ChoiceField(label=_("Light"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    raised_via = forms.ChoiceField(label=_("Raised via"), required=False)

    OPEN = "open"

    def __init__(self, *args, user, own_department: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["status"].choices = [
            ("", _("All")),
            (self.OPEN, _("Open (pending, in progress, at a meeting)")),
            *NeedStatus.choices,
        ]
        self.fields["category"].choices = blank + list(NeedCategory.choices)
        self.fields["light"].choices = blank + [
            (Light.GREEN.value, Light.GREEN.label),
            (Light.YELLOW.value, Light.YELLOW.label),
            (Light.RED.value, Light.RED.label),
        ]
        self.fields["raised_via"].choices = blank + list(RaisedVia.choices)
        if own_department:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)
            self.fields["department"].empty_label = _("All")
        projects = self.fields["project"]
        projects.queryset = projects_with_needs(user, "")
        offer_scope(projects, "needs")
        projects.label_from_instance = lambda p: f"{p.code} {p.name}"
        projects.empty_label = _("All")


class SecondRoundForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SecondRoundKind.choices)
    occurred_on = forms.DateField(label=_("Date"), initial=clock.today, widget=forms.DateInput())
    counterparty = forms.CharField(label=_("Counterparty"), max_length=120)
    amount = forms.DecimalField(
        label=_("Amount (10k yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Required for funds matched."),
    )
    description = _text(_("Description"), rows=3)
    outcome = _text(_("Outcome"), rows=2, required=False)


class InboxFilterForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    week = forms.DateField(
        label=_("Week of"),
        required=False,
        widget=forms.DateInput(),
        help_text=_("Any day of the week whose visits to show."),
    )
    unread = forms.BooleanField(label=_("Unread only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        projects = self.fields["project"]
        projects.queryset = projects_with_my_receipts(user, "")
        offer_scope(projects, "my-receipts")
        projects.label_from_instance = lambda p: f"{p.code} {p.name}"
        projects.empty_label = _("All")


class SummaryForm(BootstrapMixin, forms.Form):
    BY_PROJECT, BY_LEADER = "project", "leader"

    by = forms.ChoiceField(
        label=_("Summarise"),
        choices=[(BY_PROJECT, _("Per project")), (BY_LEADER, _("Per leader in charge"))],
        required=False,
    )
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput())
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        projects = self.fields["project"]
        projects.queryset = projects_with_receipts(user, "")
        offer_scope(projects, "receipts")
        projects.label_from_instance = lambda p: f"{p.code} {p.name}"
        projects.empty_label = _("All")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data


class ForwardForm(BootstrapMixin, forms.Form):
    """报送主要领导: the principal leaders to forward to (all of them unless unticked) and
    the leader's note."""

    recipients = forms.ModelMultipleChoiceField(
        label=_("Principal leaders"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every principal leader when none is ticked."),
    )
    note = _text(_("Note"), rows=4, required=False)

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        field.queryset = User.objects.filter(pk__in=[p.pk for p in leaders])
        field.label_from_instance = lambda u: f"{u.display_name}（{u.title or '—'}）"
        field.widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            field.initial = [p.pk for p in leaders]
