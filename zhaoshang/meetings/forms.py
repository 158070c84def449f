"""Forms of the meeting and supervision pages. They collect input; the services decide and
save. Field names follow the keys of the services' ValidationErrors (``owner_department``,
``due_on`` …) so that ``apply_service_errors`` puts each message next to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.approvals.choices import OPEN_STATUSES as OPEN_CASE_STATUSES
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.lights import Light
from zhaoshang.core.roles import Role
from zhaoshang.core.widgets import (
    SearchableSelect,
    SearchableSelectMultiple,
    offer_scope,
    register_scope,
)
from zhaoshang.meetings.choices import ActionSource, ActionStatus, MeetingKind, MeetingStatus
from zhaoshang.org.models import Department, User
from zhaoshang.projects.models import Project


def _date(label, required: bool = True, initial=clock.today) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, initial=initial, widget=forms.DateInput()
    )


def _text(label, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def person_label(user) -> str:
    where = user.department.short_name or user.department.name if user.department else ""
    return f"{user.display_name}（{user.title or where or '—'}）"


def staff_of(district_id):
    """The district's government people (not enterprise accounts), for choosing."""
    return (
        User.objects.filter(district_id=district_id, is_active=True, enterprise__isnull=True)
        .select_related("department")
        .order_by("department__sort_order", "real_name", "username")
    )


def leaders_of(district_id):
    return staff_of(district_id).filter(groups__name=Role.LEADER).distinct()


def _project_label(project) -> str:
    return f"{project.code} {project.name}"


CASE_AUTOCOMPLETE = "approvals:case_autocomplete"


def _case_label(case) -> str:
    return (
        f"{case.project.code} {case.project.name} · {case.item.name}（{case.get_status_display()}）"
    )


def _need_label(need) -> str:
    return f"{need.number} {need.title}（{need.project.name}）"


class VersionForm(BootstrapMixin, forms.Form):
    """Carries the version the user read (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {})["version"] = record.version
        super().__init__(*args, **kwargs)
        self.record = record


# ---------------------------------------------------------------------------------------
# Meetings


class MeetingForm(BootstrapMixin, forms.Form):
    """Schedule a meeting (with its first agenda) or edit one."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    held_on = _date(_("Date"), initial=None)
    starts_at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none())
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments attending"),
        queryset=Department.objects.none(),
        required=False,
        widget=SearchableSelectMultiple(attrs={"size": 8}),
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("People attending"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    minutes_number = forms.CharField(
        label=_("Minutes number"),
        max_length=60,
        required=False,
        help_text=_(
            "The number the minutes will carry, e.g. 东府纪〔2026〕12号; a joint decision carries it."
        ),
    )
    # On scheduling only: the first agenda.
    needs = forms.ModelMultipleChoiceField(
        label=_("Problems submitted to a meeting"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Problems escalated from the problem list that no coming meeting has on its agenda."
        ),
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects on the agenda"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    cases = forms.ModelMultipleChoiceField(
        label=_("Approval cases on the agenda"),
        queryset=ApprovalCase.objects.none(),
        required=False,
        # The district's open cases: asked for as the user types (issue 19.3).
        widget=SearchableSelectMultiple(
            attrs={"size": 6}, searchable=None, autocomplete=CASE_AUTOCOMPLETE
        ),
    )
    topics = forms.CharField(
        label=_("Other topics"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One topic per line."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    CHECKBOX_LISTS = ("needs",)
    AGENDA_FIELDS = ("needs", "projects", "cases", "topics")

    def __init__(self, *args, district_id, meeting=None, **kwargs):
        from zhaoshang.meetings.services import escalated_needs

        if meeting is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "kind": meeting.kind,
                    "title": meeting.title,
                    "held_on": meeting.held_on,
                    "starts_at": meeting.starts_at,
                    "place": meeting.place,
                    "chair": meeting.chair_id,
                    "departments": [d.pk for d in meeting.departments.all()],
                    "attendees": [u.pk for u in meeting.attendees.all()],
                    "minutes_number": meeting.minutes_number,
                    "version": meeting.version,
                }
            )
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["chair"].queryset = leaders_of(district_id)
        self.fields["chair"].label_from_instance = person_label
        self.fields["departments"].queryset = Department.objects.filter(district_id=district_id)
        self.fields["attendees"].queryset = staff_of(district_id)
        self.fields["attendees"].label_from_instance = person_label
        for name in self.CHECKBOX_LISTS:
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if meeting is not None:
            for name in self.AGENDA_FIELDS:
                del self.fields[name]
            return
        del self.fields["version"]
        from zhaoshang.org.models import District

        district = District.objects.get(pk=district_id)
        waiting = escalated_needs(district).select_related("project")
        self.fields["needs"].queryset = waiting
        self.fields["needs"].label_from_instance = _need_label
        if not self.is_bound:
            self.initial["needs"] = [n.pk for n in waiting]
        self.fields["projects"].queryset = Project.objects.filter(district_id=district_id).order_by(
            "code"
        )
        self.fields["projects"].label_from_instance = _project_label
        offer_scope(self.fields["projects"], "district", district_id)
        self.fields["cases"].queryset = (
            ApprovalCase.objects.filter(district_id=district_id, status__in=OPEN_CASE_STATUSES)
            .select_related("project", "item")
            .order_by("project__code", "item__sort_order")
        )
        self.fields["cases"].label_from_instance = _case_label
        offer_scope(self.fields["cases"], "district", district_id)

    def topic_lines(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("topics", "").splitlines()
            if line.strip()
        ]


class AgendaItemForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    need = forms.ModelChoiceField(label=_("Problem"), queryset=None, required=False)
    case = forms.ModelChoiceField(
        label=_("Approval case"),
        queryset=ApprovalCase.objects.none(),
        required=False,
        widget=SearchableSelect(searchable=None, autocomplete=CASE_AUTOCOMPLETE),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    note = _text(_("Note"), rows=2, required=False)

    def __init__(self, *args, meeting, **kwargs):
        from zhaoshang.service.choices import OPEN_NEED_STATUSES
        from zhaoshang.service.models import Need

        super().__init__(*args, **kwargs)
        district_id = meeting.district_id
        self.fields["project"].queryset = Project.objects.filter(district_id=district_id).order_by(
            "code"
        )
        self.fields["project"].label_from_instance = _project_label
        offer_scope(self.fields["project"], "district", district_id)
        self.fields["need"].queryset = (
            Need.objects.filter(district_id=district_id, status__in=OPEN_NEED_STATUSES)
            .select_related("project")
            .order_by("number")
        )
        self.fields["need"].label_from_instance = _need_label
        self.fields["case"].queryset = (
            ApprovalCase.objects.filter(district_id=district_id, status__in=OPEN_CASE_STATUSES)
            .select_related("project", "item")
            .order_by("project__code", "item__sort_order")
        )
        self.fields["case"].label_from_instance = _case_label
        offer_scope(self.fields["case"], "district", district_id)


class HeldForm(VersionForm):
    pass


class MinutesForm(VersionForm):
    minutes_number = forms.CharField(label=_("Minutes number"), max_length=60)
    minutes = _text(_("Minutes"), rows=8)
    minutes_issued_on = _date(_("Issued on"))
    minutes_file = forms.FileField(
        label=_("Signed minutes (file)"),
        required=False,
        help_text=_("pdf, jpg, png, docx, xlsx, ofd or zip."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.record
        if not self.is_bound:
            self.initial.setdefault("minutes_number", meeting.minutes_number)
            self.initial.setdefault("minutes", meeting.minutes)


# ---------------------------------------------------------------------------------------
# Decisions and the action items they create


class DecisionForm(BootstrapMixin, forms.Form):
    agenda_item = forms.ModelChoiceField(
        label=_("On the agenda item"), queryset=None, required=False
    )
    text = _text(_("Decision"), rows=4)

    def __init__(self, *args, meeting, **kwargs):
        from zhaoshang.meetings.models import AgendaItem

        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(
            meeting=meeting
        ).select_related("project", "need", "case__project", "case__item")
        self.fields["agenda_item"].label_from_instance = lambda a: f"{a.order}. {a.subject}"
        self.fields["agenda_item"].empty_label = _("The meeting as a whole")


class ActionItemFieldsMixin:
    """The owner and due-date fields shared by every form that creates an action item."""

    # The people list shows the chosen department's people (core.widgets).
    select_depends_on = {"owner_person": "owner_department"}

    def setup_action_fields(self, district_id) -> None:
        self.fields["owner_department"].queryset = Department.objects.filter(
            district_id=district_id
        )
        self.fields["owner_person"].queryset = staff_of(district_id).filter(
            department__isnull=False
        )
        self.fields["owner_person"].label_from_instance = person_label
        self.fields["owner_person"].empty_label = _("Anyone of the department")
        if "project" in self.fields:
            self.fields["project"].queryset = Project.objects.filter(
                district_id=district_id
            ).order_by("code")
            self.fields["project"].label_from_instance = _project_label
            offer_scope(self.fields["project"], "district", district_id)
            self.fields["project"].empty_label = _("None")

    def clean(self):
        data = super().clean()
        if data.get("due_workdays") is not None and data.get("due_on"):
            self.add_error(
                "due_on", _("Give either a due date or a number of working days, not both.")
            )
        return data


def _owner_department() -> forms.ModelChoiceField:
    # Not required here: the service names the missing owner in its own words.
    return forms.ModelChoiceField(
        label=_("Owner department"), queryset=Department.objects.none(), required=False
    )


def _owner_person() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Person in charge"), queryset=User.objects.none(), required=False
    )


def _due_on() -> forms.DateField:
    return forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput())


def _due_workdays() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("or due in N working days"), required=False, min_value=1, max_value=365
    )


class ActionItemRowForm(ActionItemFieldsMixin, BootstrapMixin, forms.Form):
    """One action item of a decision (a row of the decision page's formset)."""

    title = forms.CharField(label=_("What is to be done"), max_length=200, required=False)
    owner_department = _owner_department()
    owner_person = _owner_person()
    due_on = _due_on()
    due_workdays = _due_workdays()
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, district_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_action_fields(district_id)

    def row(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("title", "")
        data.setdefault("owner_department", None)
        return data


class BaseActionRows(forms.BaseFormSet):
    """Blank rows are ignored; the service asks for at least one."""

    def __init__(self, *args, district_id, **kwargs):
        self.district_id = district_id
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"district_id": self.district_id}

    def rows(self) -> list[tuple[int, dict]]:
        """(index of the form, its data) of the rows filled in."""
        return [
            (i, form.row())
            for i, form in enumerate(self.forms)
            if form.has_changed() and form.cleaned_data
        ]


ActionRowFormSet = forms.formset_factory(
    ActionItemRowForm, formset=BaseActionRows, extra=3, max_num=20, absolute_max=20
)


class JointDecisionForm(BootstrapMixin, forms.Form):
    """The joint decision (互为前置 → 同时审批、同时办结) of one project's cases."""

    cases = forms.ModelMultipleChoiceField(
        label=_("Cases approved together"),
        queryset=ApprovalCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    agenda_item = forms.ModelChoiceField(
        label=_("On the agenda item"), queryset=None, required=False
    )
    text = _text(_("Decision"), rows=3, required=False)
    minutes_number = forms.CharField(label=_("Minutes number"), max_length=60, required=False)

    def __init__(self, *args, meeting, project, **kwargs):
        from zhaoshang.meetings.models import AgendaItem

        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (
            ApprovalCase.objects.filter(project=project, status__in=OPEN_CASE_STATUSES)
            .select_related("item", "department")
            .order_by("item__sort_order", "id")
        )
        self.fields["cases"].label_from_instance = lambda c: (
            f"{c.item.name}（{c.department.short_name or c.department.name}，{c.get_status_display()}）"
        )
        self.fields["cases"].widget.attrs["class"] = "form-check-input"
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(
            meeting=meeting
        ).select_related("project", "need", "case__project", "case__item")
        self.fields["agenda_item"].label_from_instance = lambda a: f"{a.order}. {a.subject}"
        self.fields["agenda_item"].empty_label = _("The meeting as a whole")
        self.fields["text"].help_text = _(
            "Optional: by default the decision names the items approved together."
        )
        if meeting.minutes_number:
            del self.fields["minutes_number"]
        else:
            self.fields["minutes_number"].required = True
            self.fields["minutes_number"].help_text = _(
                "The meeting has no minutes number yet: the joint decision carries it."
            )


# ---------------------------------------------------------------------------------------
# Action items


class ActionItemForm(ActionItemFieldsMixin, BootstrapMixin, forms.Form):
    """An action item assigned directly (督办交办), or its changes by the supervision office."""

    title = forms.CharField(label=_("What is to be done"), max_length=200, required=False)
    description = _text(_("Requirements"), rows=3, required=False)
    owner_department = _owner_department()
    owner_person = _owner_person()
    start_on = _date(_("Start date"), required=False)
    due_on = _due_on()
    due_workdays = _due_workdays()
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    need = forms.ModelChoiceField(label=_("Problem"), queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, district_id, item=None, **kwargs):
        from zhaoshang.service.choices import OPEN_NEED_STATUSES
        from zhaoshang.service.models import Need

        if item is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "title": item.title,
                    "description": item.description,
                    "owner_department": item.owner_department_id,
                    "owner_person": item.owner_person_id,
                    "start_on": item.start_on,
                    "due_on": None if item.due_workdays else item.due_on,
                    "due_workdays": item.due_workdays,
                    "project": item.project_id,
                    "version": item.version,
                }
            )
        super().__init__(*args, **kwargs)
        self.setup_action_fields(district_id)
        self.fields["due_workdays"].help_text = _("Counted from the start date.")
        if item is not None:
            del self.fields["need"]
            return
        del self.fields["version"]
        self.fields["need"].queryset = (
            Need.objects.filter(district_id=district_id, status__in=OPEN_NEED_STATUSES)
            .select_related("project")
            .order_by("number")
        )
        self.fields["need"].label_from_instance = _need_label
        self.fields["need"].empty_label = _("None")


class ProgressForm(VersionForm):
    text = _text(_("Progress"))
    recorded_on = _date(_("Date"))
    file = forms.FileField(label=_("Attachment"), required=False)


class CompleteForm(VersionForm):
    text = _text(_("What was done"))
    completed_on = _date(_("Done on"))
    evidence = forms.FileField(
        label=_("Evidence of completion"),
        required=False,
        help_text=_("A document, photo or scan: pdf, jpg, png, docx, xlsx, ofd or zip."),
    )


class CloseForm(VersionForm):
    note = _text(_("Note"), rows=2, required=False)
    closed_on = _date(_("Closed on"))


class ReturnForm(VersionForm):
    reason = _text(_("Reason for sending it back"))
    due_on = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=forms.DateInput(),
        help_text=_("Leave empty to keep the due date."),
    )


# ---------------------------------------------------------------------------------------
# Lists


@register_scope("projects.project", "action-items")
def projects_with_action_items(user, arg):
    """The projects the user sees that have action items (the supervision board's filter)."""
    return Project.objects.visible_to(user).filter(action_items__isnull=False).distinct()


class BoardFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    light = forms.ChoiceField(label=_("Light"), required=False)
    department = forms.ModelChoiceField(
        label=_("Owner department"), queryset=Department.objects.none(), required=False
    )
    source = forms.ChoiceField(label=_("Source of the item"), required=False)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, user, own_department: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["status"].choices = blank + list(ActionStatus.choices)
        self.fields["light"].choices = blank + [
            (Light.GREEN.value, Light.GREEN.label),
            (Light.YELLOW.value, Light.YELLOW.label),
            (Light.RED.value, Light.RED.label),
        ]
        self.fields["source"].choices = blank + list(ActionSource.choices)
        if own_department:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)
            self.fields["department"].empty_label = _("All")
        self.fields["project"].queryset = projects_with_action_items(user, "")
        offer_scope(self.fields["project"], "action-items")
        self.fields["project"].label_from_instance = _project_label
        self.fields["project"].empty_label = _("All")


class MeetingFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["kind"].choices = blank + list(MeetingKind.choices)
        self.fields["status"].choices = blank + list(MeetingStatus.choices)
