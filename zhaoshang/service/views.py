"""Project service pages (SPEC §7): the project's service tab, receipts (form, page, PDF,
correction), the leader's inbox and instructions, summaries per project and per leader,
the problem list with its department view and export, second-round service records, and
the leader's designated-contact and the paired department's views.

Every change goes through ``service.services``; every read starts from ``visible_to``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhaoshang.approvals.choices import Light
from zhaoshang.core import clock, roles
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.history import history_rows
from zhaoshang.core.pdf import render_pdf
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.models import Project
from zhaoshang.projects.views import _project_context, get_visible_project
from zhaoshang.service import permissions, services
from zhaoshang.service.choices import (
    OPEN_NEED_STATUSES,
    NeedStatus,
    Period,
    ReceiptResult,
    SecondRoundKind,
)
from zhaoshang.service.forms import (
    ActionItemFormSet,
    CloseNeedForm,
    EscalateNeedForm,
    InboxFilterForm,
    InstructionForm,
    NeedFilterForm,
    NeedForm,
    ReceiptCorrectionForm,
    ReceiptForm,
    ResolveNeedForm,
    SecondRoundForm,
    StartNeedForm,
    SummaryForm,
)
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.workdays import services as workdays

# A problem is "due soon" (yellow) this many working days before its due date.
SOON_WORKDAYS = 2
MONEY = DecimalField(max_digits=16, decimal_places=2)
# The printed receipt is the district's Chinese form (招商引资企业手续办理回执单), whatever
# the language of the screen: its wording is the form's, as the work plan names it.
PDF_RESULT_LABELS = {
    ReceiptResult.DONE: "办结",
    ReceiptResult.IN_PROGRESS: "在办",
    ReceiptResult.NEEDS_COORDINATION: "需协调",
}


def _today() -> datetime.date:
    return clock.today()


def _action_items():
    from zhaoshang.meetings.models import ActionItem

    return Prefetch(
        "action_items",
        queryset=ActionItem.objects.select_related("owner_department", "owner_person").order_by(
            "due_on", "id"
        ),
    )


def days_left_text(need) -> str:
    left = getattr(need, "days_left", None)
    if left is None or need.status not in OPEN_NEED_STATUSES:
        return ""
    if left < 0:
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", -left) % {
            "n": -left
        }
    if left == 0:
        return _("Due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}


def _needs(user):
    return Need.objects.visible_to(user).with_days_left(_today())


# ---------------------------------------------------------------------------------------
# The project's service tab


@login_required
def project_service(request, pk):
    project = get_visible_project(request, pk)
    user = request.user
    receipts = (
        Receipt.objects.filter(project=project)
        .select_related("department", "filed_by", "addressee", "approval_case__item")
        .order_by("-visited_on", "-id")
    )
    page = paginate(request, receipts, per_page=20)
    needs = list(
        Need.objects.filter(project=project)
        .with_days_left(_today())
        .select_related("department", "raised_by")
    )
    needs.sort(key=lambda n: (0 if n.is_open else 1, n.due_on, n.pk))
    for need in needs:
        need.days_left_text = days_left_text(need)
    instructions = list(
        Instruction.objects.filter(project=project)
        .select_related("leader", "receipt")
        .prefetch_related(_action_items())
    )
    second_round = list(
        SecondRoundService.objects.filter(project=project).select_related("recorded_by")
    )
    counts = receipts.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(result=ReceiptResult.DONE)),
        in_progress=Count("pk", filter=Q(result=ReceiptResult.IN_PROGRESS)),
        coordination=Count("pk", filter=Q(result=ReceiptResult.NEEDS_COORDINATION)),
        departments=Count("department", distinct=True),
    )
    context = _project_context(
        request,
        project,
        "service",
        page=page,
        counts=counts,
        needs=needs,
        open_needs=sum(1 for n in needs if n.is_open),
        instructions=instructions,
        second_round=second_round,
        leader=services.leader_in_charge(project),
        can_file=permissions.can_file_receipt(user, project),
        can_raise=permissions.can_raise_need(user, project),
        can_record_second=permissions.can_record_second_round(user, project=project),
    )
    return render(request, "service/project.html", context)


# ---------------------------------------------------------------------------------------
# Receipts


def _refuse_not_team(request, project) -> HttpResponse:
    return render(
        request,
        "service/refused.html",
        {"project": project, "reason": services.not_team_message(project)},
        status=403,
    )


@login_required
def receipt_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_file_receipt(request.user, project):
        if roles.is_city(request.user):
            raise PermissionDenied
        return _refuse_not_team(request, project)
    status = 200
    if request.method == "POST":
        form = ReceiptForm(request.POST, project=project)
        if form.is_valid():
            try:
                receipt = services.file_receipt(request.user, project, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if receipt.addressee_id:
                    messages.success(
                        request,
                        _("Receipt %(number)s is filed and sent to %(leader)s.")
                        % {"number": receipt.number, "leader": receipt.addressee.display_name},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "Receipt %(number)s is filed, but the project has no project "
                            "manager or designated leader to send it to."
                        )
                        % {"number": receipt.number},
                    )
                return redirect("service:receipt", pk=receipt.pk)
        status = 400
    else:
        form = ReceiptForm(project=project)
    context = _project_context(
        request, project, "service", form=form, leader=services.leader_in_charge(project)
    )
    return render(request, "service/receipt_form.html", context, status=status)


def _receipt_queryset(request):
    return Receipt.objects.visible_to(request.user).select_related(
        "project__enterprise",
        "project__district",
        "project__designated_leader",
        "department",
        "handler_user",
        "approval_case__item",
        "filed_by",
        "addressee",
        "district",
    )


def _receipt_context(request, receipt: Receipt, instruction_form=None, item_forms=None) -> dict:
    user = request.user
    instructions = list(
        receipt.instructions.select_related("leader").prefetch_related(_action_items())
    )
    can_instruct = permissions.can_instruct(user, receipt)
    context = {
        "receipt": receipt,
        "project": receipt.project,
        "instructions": instructions,
        "needs": list(receipt.needs.select_related("department")),
        "history": history_rows(receipt.history.all(), Receipt, subject=_("Receipt")),
        "can_instruct": can_instruct,
        "can_correct": permissions.can_correct_receipt(user, receipt),
        "can_raise": permissions.can_raise_need(user, receipt.project),
    }
    if can_instruct:
        context["instruction_form"] = instruction_form or InstructionForm(auto_id="id_ins_%s")
        context["item_forms"] = item_forms or ActionItemFormSet(
            prefix="items", form_kwargs={"district_id": receipt.district_id}
        )
    return context


@login_required
def receipt_detail(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if services.mark_receipt_read(request.user, receipt):
        receipt.refresh_from_db(fields=["read_at"])
    return render(request, "service/receipt.html", _receipt_context(request, receipt))


@login_required
def receipt_pdf(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    instructions = list(receipt.instructions.select_related("leader").order_by("written_on", "id"))
    team = {
        m.role: m.user
        for m in receipt.project.team_members.select_related("user").exclude(role="leading_group")
    }
    pdf = render_pdf(
        "service/receipt_pdf.html",
        {
            "receipt": receipt,
            "instructions": instructions,
            "team": team,
            "today": _today(),
            "result_label": PDF_RESULT_LABELS[receipt.result],
        },
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt.number}.pdf"'
    return response


@login_required
def receipt_correct(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if not permissions.can_correct_receipt(request.user, receipt):
        raise PermissionDenied
    project = receipt.project
    status = 200
    if request.method == "POST":
        form = ReceiptCorrectionForm(request.POST, project=project)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("correction_reason")
            version = data.pop("version")
            try:
                services.correct_receipt(
                    request.user, receipt, reason=reason, expected_version=version, **data
                )
            except ConcurrentEditError as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Receipt %(number)s is corrected; the leader has been told.")
                    % {"number": receipt.number},
                )
                return redirect("service:receipt", pk=receipt.pk)
        else:
            status = 400
    else:
        initial = {name: getattr(receipt, name) for name in services.CORRECTABLE}
        initial["version"] = receipt.version
        form = ReceiptCorrectionForm(initial=initial, project=project)
    return render(
        request,
        "service/receipt_correct.html",
        {"receipt": receipt, "project": project, "form": form},
        status=status,
    )


@login_required
@require_POST
def instruction_create(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if not permissions.can_instruct(request.user, receipt):
        raise PermissionDenied
    form = InstructionForm(request.POST, auto_id="id_ins_%s")
    item_forms = ActionItemFormSet(
        request.POST, prefix="items", form_kwargs={"district_id": receipt.district_id}
    )
    if form.is_valid() and item_forms.is_valid():
        rows = item_forms.items()
        try:
            instruction = services.write_instruction(
                request.user,
                receipt,
                text=form.cleaned_data["text"],
                written_on=form.cleaned_data["written_on"],
                items=[data for _index, data in rows],
            )
        except services.InstructionItemError as exc:
            apply_service_errors(item_forms.forms[rows[exc.index][0]], exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The instruction is recorded; action items under supervision: %(n)s.")
                % {"n": len(instruction.action_items_created)},
            )
            return redirect("service:receipt", pk=receipt.pk)
    context = _receipt_context(request, receipt, instruction_form=form, item_forms=item_forms)
    return render(request, "service/receipt.html", context, status=400)


# ---------------------------------------------------------------------------------------
# The leader's inbox


@login_required
def inbox(request):
    user = request.user
    form = InboxFilterForm(request.GET or None, user=user)
    qs = Receipt.objects.visible_to(user).addressed_to(user)
    unread_total = qs.unread().count()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("project"):
            qs = qs.filter(project=data["project"])
        if data.get("week"):
            monday = data["week"] - datetime.timedelta(days=data["week"].weekday())
            qs = qs.filter(visited_on__range=(monday, monday + datetime.timedelta(days=6)))
        if data.get("unread"):
            qs = qs.unread()
    qs = (
        qs.select_related("project", "department", "filed_by")
        .annotate(instruction_count=Count("instructions"))
        .order_by(F("read_at").asc(nulls_first=True), "-visited_on", "-id")
    )
    page = paginate(request, qs)
    return render(
        request,
        "service/inbox.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "unread_total": unread_total,
            "is_leader": roles.has_role(user, Role.LEADER),
        },
    )


# ---------------------------------------------------------------------------------------
# Summaries per project and per leader, by week or month


@dataclass
class SummaryRow:
    period: datetime.date
    key: int | None
    label: str
    code: str
    receipts: int
    done: int
    in_progress: int
    coordination: int
    departments: int
    problems_noted: int
    needs_raised: int = 0
    needs_open: int = 0


def _period_end(start: datetime.date, period: str) -> datetime.date:
    if period == Period.WEEK:
        return start + datetime.timedelta(days=6)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return datetime.date(year, month, 1) - datetime.timedelta(days=1)


def summary_rows(user, data: dict):
    """The summary as a paginatable aggregate queryset of receipts plus, for the rows shown,
    the problems raised and still open, both grouped in SQL."""
    period = data.get("period") or Period.WEEK
    by = data.get("by") or SummaryForm.BY_PROJECT
    today = _today()
    end = data.get("end") or today
    start = data.get("start") or (
        end - datetime.timedelta(weeks=12)
        if period == Period.WEEK
        else end.replace(day=1) - datetime.timedelta(days=150)
    )
    trunc = TruncWeek if period == Period.WEEK else TruncMonth
    receipts = Receipt.objects.visible_to(user).filter(visited_on__range=(start, end))
    needs = Need.objects.visible_to(user).filter(raised_on__range=(start, end))
    if data.get("project"):
        receipts = receipts.filter(project=data["project"])
        needs = needs.filter(project=data["project"])
    if by == SummaryForm.BY_PROJECT:
        keys = ("project_id", "project__code", "project__name")
        need_key = F("project_id")
    else:
        keys = ("addressee_id", "addressee__real_name", "addressee__username")
        # A problem from a receipt belongs to the leader the receipt went to; any other to
        # the project's designated contact leader.
        need_key = Coalesce("receipt__addressee_id", "project__designated_leader_id")
    rows = (
        receipts.annotate(period=trunc("visited_on"))
        .values("period", *keys)
        .annotate(
            receipts=Count("pk"),
            done=Count("pk", filter=Q(result=ReceiptResult.DONE)),
            in_progress=Count("pk", filter=Q(result=ReceiptResult.IN_PROGRESS)),
            coordination=Count("pk", filter=Q(result=ReceiptResult.NEEDS_COORDINATION)),
            departments=Count("department", distinct=True),
            problems_noted=Count("pk", filter=~Q(problems="")),
        )
        .order_by("-period", keys[1], keys[0])
    )
    totals = receipts.aggregate(
        receipts=Count("pk"),
        done=Count("pk", filter=Q(result=ReceiptResult.DONE)),
        in_progress=Count("pk", filter=Q(result=ReceiptResult.IN_PROGRESS)),
        coordination=Count("pk", filter=Q(result=ReceiptResult.NEEDS_COORDINATION)),
        departments=Count("department", distinct=True),
        problems_noted=Count("pk", filter=~Q(problems="")),
    )
    needs_grouped = (
        needs.annotate(period=trunc("raised_on"), key=need_key)
        .values("period", "key")
        .annotate(
            raised=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_NEED_STATUSES)),
        )
        .order_by()
    )
    totals.update(
        needs.aggregate(
            needs_raised=Count("pk"),
            needs_open=Count("pk", filter=Q(status__in=OPEN_NEED_STATUSES)),
        )
    )
    return {
        "groups": rows,
        "needs": needs_grouped,
        "by": by,
        "period": period,
        "start": start,
        "end": end,
        "keys": keys,
        "totals": totals,
    }


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@login_required
def summary(request):
    form = SummaryForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    result = summary_rows(request.user, data)
    page = paginate(request, result.pop("groups"), per_page=50)
    keys = result["keys"]
    shown = [
        SummaryRow(
            period=_as_date(row["period"]),
            key=row[keys[0]],
            label=(
                row[keys[2]]
                if result["by"] == SummaryForm.BY_PROJECT
                else row[keys[1]] or row[keys[2]]
            )
            or _("No leader in charge"),
            code=row[keys[1]] if result["by"] == SummaryForm.BY_PROJECT else "",
            receipts=row["receipts"],
            done=row["done"],
            in_progress=row["in_progress"],
            coordination=row["coordination"],
            departments=row["departments"],
            problems_noted=row["problems_noted"],
        )
        for row in page
    ]
    if shown:
        wanted_keys = {r.key for r in shown}
        periods = {r.period for r in shown}
        needs = result["needs"].filter(
            **({"project_id__in": wanted_keys} if result["by"] == SummaryForm.BY_PROJECT else {})
        )
        found = {
            (_as_date(n["period"]), n["key"]): n
            for n in needs
            if _as_date(n["period"]) in periods and n["key"] in wanted_keys
        }
        for row in shown:
            n = found.get((row.period, row.key))
            if n:
                row.needs_raised, row.needs_open = n["raised"], n["open"]
    for row in shown:
        row.period_end = _period_end(row.period, result["period"])
    return render(
        request,
        "service/summary.html",
        {"form": form, "page": page, "rows": shown, **result},
    )


# ---------------------------------------------------------------------------------------
# The problem list


def own_department_only(user) -> bool:
    return roles.has_role(user, Role.DEPARTMENT) and bool(user.department_id)


def filtered_needs(request, *, own_department: bool = False):
    user = request.user
    form = NeedFilterForm(request.GET or None, user=user, own_department=own_department)
    qs = _needs(user)
    if own_department:
        qs = qs.filter(department_id=user.department_id)
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status")
        if status == NeedFilterForm.OPEN:
            qs = qs.filter(status__in=OPEN_NEED_STATUSES)
        elif status:
            qs = qs.filter(status=status)
        for name in ("category", "department", "project", "raised_via", "light"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(project__name__icontains=text)
                | Q(project__code__icontains=text)
            )
    return form, qs


def _order_open_first(qs):
    return qs.annotate(
        closed=Case(
            When(status__in=OPEN_NEED_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "due_on", "id")


def _needs_page(request, *, own_department: bool):
    form, qs = filtered_needs(request, own_department=own_department)
    qs = _order_open_first(qs).select_related("project", "department", "raised_by")
    show_district = roles.sees_all_districts(request.user)
    if show_district:
        qs = qs.select_related("district")
    page = paginate(request, qs)
    for need in page:
        need.days_left_text = days_left_text(need)
    return render(
        request,
        "service/needs.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own_department,
            "department": request.user.department if own_department else None,
            "show_district": show_district,
        },
    )


@login_required
def needs(request):
    return _needs_page(request, own_department=False)


@login_required
def department_needs(request):
    """部门待办: the problems assigned to the user's own department."""
    if not request.user.department_id:
        return render(
            request,
            "service/needs.html",
            {"form": None, "page": [], "count": 0, "own_department": True, "department": None},
        )
    return _needs_page(request, own_department=True)


@login_required
def needs_export(request):
    _form, qs = filtered_needs(request)
    qs = _order_open_first(qs).select_related(
        "project__enterprise", "department", "raised_by", "escalated_by"
    )
    columns = [
        (_("Number"), lambda n: n.number),
        (_("Project code"), lambda n: n.project.code),
        (_("Project"), lambda n: n.project.name),
        (_("Enterprise"), lambda n: n.project.enterprise.name if n.project.enterprise else ""),
        (_("Category"), lambda n: n.get_category_display()),
        (_("Title"), lambda n: n.title),
        (_("Description"), lambda n: n.description),
        (_("Assigned department"), lambda n: n.department.name),
        (_("Raised via"), lambda n: n.get_raised_via_display()),
        (_("Raised by"), lambda n: n.raised_by.display_name),
        (_("Raised on"), lambda n: n.raised_on),
        (_("Time limit (working days)"), lambda n: n.due_workdays),
        (_("Due on"), lambda n: n.due_on),
        (_("Due date provisional"), lambda n: _("Yes") if n.due_is_provisional else ""),
        (_("Working days left"), lambda n: n.days_left if n.is_open else None),
        (_("Light"), lambda n: Light(n.light).label),
        (_("Status"), lambda n: n.get_status_display()),
        (_("Submitted to a meeting on"), lambda n: n.escalated_on),
        (_("Resolution"), lambda n: n.resolution),
        (_("Solved on"), lambda n: n.resolved_on),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda n: str(n.district)))
    return xlsx_response("problem-list", _("Problem list"), columns, qs.iterator(chunk_size=500))


@dataclass(frozen=True)
class NeedAction:
    slug: str
    label: str
    form: type
    allowed: object
    applies: tuple
    style: str
    done: str


NEED_ACTIONS = (
    NeedAction(
        "start",
        _("Take it up"),
        StartNeedForm,
        permissions.can_start_need,
        (NeedStatus.PENDING,),
        "primary",
        _("The problem is being handled."),
    ),
    NeedAction(
        "resolve",
        _("Solved"),
        ResolveNeedForm,
        permissions.can_resolve_need,
        OPEN_NEED_STATUSES,
        "success",
        _("The problem is recorded as solved."),
    ),
    NeedAction(
        "escalate",
        _("Submit to a joint meeting"),
        EscalateNeedForm,
        permissions.can_escalate_need,
        (NeedStatus.PENDING, NeedStatus.IN_PROGRESS),
        "warning",
        _("The problem is submitted to a joint meeting."),
    ),
    NeedAction(
        "close",
        _("Close without a solution"),
        CloseNeedForm,
        permissions.can_close_need,
        OPEN_NEED_STATUSES,
        "outline-secondary",
        _("The problem is closed."),
    ),
)
NEED_ACTIONS_BY_SLUG = {a.slug: a for a in NEED_ACTIONS}


def run_need_action(user, need, slug: str, data: dict, version: int | None):
    if slug == "start":
        return services.start_need(user, need, version)
    if slug == "resolve":
        return services.resolve_need(
            user, need, data.get("resolution", ""), data.get("resolved_on"), version
        )
    if slug == "escalate":
        return services.escalate_need(user, need, data.get("escalation_note", ""), version)
    if slug == "close":
        return services.close_need(user, need, data.get("resolution", ""), version)
    raise ValueError(slug)


def _need_queryset(request):
    return _needs(request.user).select_related(
        "project__enterprise",
        "project__district",
        "department",
        "raised_by",
        "escalated_by",
        "receipt",
        "district",
    )


def _need_context(request, need, bound=None, stale: str = "") -> dict:
    from zhaoshang.core.audit import event_label
    from zhaoshang.core.models import DomainEvent

    actions = []
    for action in NEED_ACTIONS:
        if need.status not in action.applies or not action.allowed(request.user, need):
            continue
        form = bound if bound is not None and bound.action == action.slug else None
        if form is None:
            form = action.form(need=need, auto_id=f"id_{action.slug}_%s")
            form.action = action.slug
        url = reverse(f"service:need_{action.slug}", args=[need.pk])
        actions.append((action, form, url))
    events = list(
        DomainEvent.objects.for_object(need).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    agenda = []
    if hasattr(need, "agenda_items"):
        agenda = list(need.agenda_items.select_related("meeting"))
    need.days_left_text = days_left_text(need)
    return {
        "need": need,
        "project": need.project,
        "actions": actions,
        "events": events,
        "stale": stale,
        "agenda": agenda,
        "action_items": list(need.action_items.select_related("owner_department", "owner_person")),
    }


@login_required
def need_detail(request, pk):
    need = get_object_or_404(_need_queryset(request), pk=pk)
    return render(request, "service/need.html", _need_context(request, need))


@login_required
@require_POST
def need_action(request, pk, action):
    need = get_object_or_404(_need_queryset(request), pk=pk)
    spec = NEED_ACTIONS_BY_SLUG[action]
    if not spec.allowed(request.user, need):
        raise PermissionDenied
    form = spec.form(request.POST, need=need, auto_id=f"id_{spec.slug}_%s")
    form.action = spec.slug
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            run_need_action(request.user, need, spec.slug, data, data.pop("version"))
        except ConcurrentEditError as exc:
            fresh = get_object_or_404(_need_queryset(request), pk=pk)
            context = _need_context(request, fresh, stale=" ".join(exc.messages))
            return render(request, "service/need.html", context, status=409)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, str(spec.done))
            return redirect("service:need", pk=need.pk)
    return render(request, "service/need.html", _need_context(request, need, form), status=400)


@login_required
def need_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_raise_need(request.user, project):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = NeedForm(request.POST, project=project)
        if form.is_valid():
            try:
                need = services.raise_need(request.user, project, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Problem %(number)s is on the list, due on %(due)s.")
                    % {"number": need.number, "due": need.due_on.isoformat()},
                )
                return redirect("service:need", pk=need.pk)
        status = 400
    else:
        initial = {}
        receipt_id = request.GET.get("receipt")
        if receipt_id and receipt_id.isdigit():
            receipt = Receipt.objects.filter(project=project, pk=receipt_id).first()
            if receipt is not None:
                initial = {
                    "receipt": receipt,
                    "department": receipt.department,
                    "title": receipt.matter[:120],
                    "description": receipt.problems,
                }
        form = NeedForm(project=project, initial=initial)
    context = _project_context(request, project, "service", form=form)
    return render(request, "service/need_form.html", context, status=status)


# ---------------------------------------------------------------------------------------
# Second-round service


@login_required
def second_round(request):
    qs = (
        SecondRoundService.objects.visible_to(request.user)
        .select_related("project", "enterprise", "recorded_by", "district")
        .order_by("-occurred_on", "-id")
    )
    kind = request.GET.get("kind")
    if kind in SecondRoundKind.values:
        qs = qs.filter(kind=kind)
    totals = {
        row["kind"]: row
        for row in qs.order_by()
        .values("kind")
        .annotate(n=Count("pk"), amount=Sum("amount", output_field=MONEY))
    }
    page = paginate(request, qs)
    return render(
        request,
        "service/second_round.html",
        {
            "page": page,
            "count": page.paginator.count,
            "kinds": [
                (k, totals.get(k.value, {}).get("n", 0), totals.get(k.value, {}).get("amount"))
                for k in SecondRoundKind
            ],
            "kind": kind,
            "show_district": roles.sees_all_districts(request.user),
        },
    )


def _second_round_form(request, *, project=None, enterprise=None, back: str, template_context):
    status = 200
    if request.method == "POST":
        form = SecondRoundForm(request.POST)
        if form.is_valid():
            try:
                services.record_second_round(
                    request.user, project=project, enterprise=enterprise, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The second-round service is recorded."))
                return redirect(back)
        status = 400
    else:
        form = SecondRoundForm()
    return render(
        request, "service/second_round_form.html", {**template_context, "form": form}, status=status
    )


@login_required
def second_round_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_record_second_round(request.user, project=project):
        raise PermissionDenied
    return _second_round_form(
        request,
        project=project,
        back=reverse("service:project", args=[project.pk]) + "#second-round",
        template_context=_project_context(request, project, "service"),
    )


@login_required
def enterprise_second_round_create(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    if not permissions.can_record_second_round(request.user, enterprise=enterprise):
        raise PermissionDenied
    return _second_round_form(
        request,
        enterprise=enterprise,
        back=reverse("service:second_round"),
        template_context={"enterprise": enterprise},
    )


# ---------------------------------------------------------------------------------------
# 领导定点联系 and 部门结对帮扶


def _service_projects(request, qs, template: str, extra: dict):
    from zhaoshang.service.querysets import with_service_data

    today = _today()
    soon = workdays.add_workdays(today, SOON_WORKDAYS).date
    qs = (
        with_service_data(qs, today, soon)
        .select_related("enterprise", "park", "industry")
        .order_by("code")
    )
    page = paginate(request, qs, per_page=50)
    return render(request, template, {"page": page, "count": page.paginator.count, **extra})


@login_required
def designated(request):
    """领导定点联系: the projects whose designated contact leader is the user."""
    qs = Project.objects.visible_to(request.user).filter(designated_leader=request.user)
    return _service_projects(
        request,
        qs,
        "service/designated.html",
        {"is_leader": roles.has_role(request.user, Role.LEADER)},
    )


@login_required
def paired(request):
    """部门结对帮扶: the projects the user's department is paired with."""
    department = request.user.department
    if department is None:
        qs = Project.objects.none()
    else:
        qs = Project.objects.visible_to(request.user).filter(paired_departments=department)
    return _service_projects(request, qs, "service/paired.html", {"department": department})
