"""Exit-warning pages (SPEC §11): the warnings desk (退出预警) with its filters and Excel
export, the warning page with its facts, the delay attribution, the steps record and the
action forms, and a project's warnings for the project's monitoring tab
(``warnings_for_project`` + ``exits/_project_warnings.html``).

Every change goes through ``exits.services``; a warning outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.actions import panel, record_action_view
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate
from zhaoshang.exits import permissions, services
from zhaoshang.exits.actions import ACTIONS
from zhaoshang.exits.choices import ANCHOR_FIELDS, DelayKind, RuleCode, StepKind, WarningStatus
from zhaoshang.exits.forms import DeskFilterForm
from zhaoshang.exits.models import ExitRule, ExitStep, ExitWarning
from zhaoshang.projects.choices import EXIT_STAGES, ProjectKind
from zhaoshang.projects.models import Project


def _queryset(request):
    return (
        ExitWarning.objects.visible_to(request.user)
        .with_days_left(clock.today())
        .select_related(
            "project__park", "project__enterprise", "rule", "district", "delay_confirmed_by"
        )
    )


def filtered_warnings(request):
    """The warnings the desk shows, filtered as the query string says; shared by the desk
    and its export. Excluded warnings are listed only under their own filter."""
    form = DeskFilterForm(request.GET or None, user=request.user)
    qs = _queryset(request)
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status") or ""
        if data.get("rule"):
            qs = qs.filter(rule__code=data["rule"])
        if data.get("park"):
            qs = qs.filter(project__park=data["park"])
        if data.get("project"):
            qs = qs.filter(project_id=data["project"])
    qs = qs.filter(status=status) if status else qs.exclude(status=WarningStatus.EXCLUDED)
    return form, qs.order_by("-raised_on", "-id")


@login_required
def warning_list(request):
    form, qs = filtered_warnings(request)
    return render(
        request,
        "exits/list.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "show_district": roles.sees_all_districts(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def warning_export(request):
    """The desk as filtered, as an Excel file."""
    _form, qs = filtered_warnings(request)
    columns = [
        (_("Project code"), lambda w: w.project.code),
        (_("Project"), lambda w: w.project.name),
        (_("Enterprise"), lambda w: w.project.enterprise.name if w.project.enterprise_id else ""),
        (_("Park"), lambda w: w.project.park.name),
        (_("Rule"), lambda w: w.rule.get_code_display()),
        (_("Addressed to"), _addressed_to),
        (_("Due date from"), lambda w: w.get_due_source_display()),
        (_("Counted from"), lambda w: w.anchor_on),
        (pgettext("exit rule", "Due on"), lambda w: w.due_on),
        (_("Raised on"), lambda w: w.raised_on),
        (_("Status"), lambda w: w.get_status_display()),
        (_("Rectify by"), lambda w: w.notice_deadline),
        (_("Working days left"), lambda w: w.days_left),
        (_("Light"), lambda w: Light(w.light).label if w.deadline else ""),
        (_("Government delay (working days)"), lambda w: w.delay_workdays or None),
        (_("Clock held since"), lambda w: w.held_since),
        (_("Effective due date"), lambda w: w.effective_due_on),
        (_("Held intervals"), _intervals_text),
        (_("Reason for the attribution"), lambda w: w.delay_reason),
        (_("Cleared on"), lambda w: w.cleared_on),
        (_("How it was cleared"), lambda w: w.cleared_note),
    ]
    if roles.sees_all_districts(request.user):
        columns.insert(0, (_("District"), lambda w: str(w.district)))
    return xlsx_response(
        "exit-warnings",
        _("Exit warnings"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Exit warnings register"),
    )


def held_intervals(warning) -> list[dict]:
    """The warning's held intervals as the daily scan last computed them, each with the
    label of its source."""
    labels = dict(DelayKind.choices)
    return [{**c, "label": labels.get(c["kind"], c["kind"])} for c in warning.delay_causes]


def _intervals_text(warning) -> str:
    """The held intervals in one cell: source, title, department, dates, working days."""
    still = _("still open")
    return "\n".join(
        f"{c['label']}: {c['title']}"
        + (f" ({c['department']})" if c["department"] else "")
        + f" {c.get('start', c['due_on'])} – {still if c.get('open') else c.get('end', c['done_on'])}"
        + f" · {c['workdays']}"
        for c in held_intervals(warning)
    )


def _addressed_to(warning) -> str:
    return str(_("Government") if warning.rule.is_government else _("Enterprise"))


def _context(request, warning, bound=None, stale: str = "") -> dict:
    user = request.user
    actions = panel(
        user,
        warning,
        ACTIONS,
        lambda action: f"{warning.get_absolute_url()}{action.slug}/",
        bound=bound,
        record_kwarg="record",
    )
    events = list(
        DomainEvent.objects.for_object(warning)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    steps = list(warning.steps.select_related("recorded_by"))
    return {
        "warning": warning,
        "project": warning.project,
        "steps": steps,
        "notice": next((s for s in steps if s.kind == StepKind.NOTICE), None),
        "delay_days": warning.delay_workdays,
        "causes": held_intervals(warning),
        "events": events,
        "actions": actions,
        "can_act": permissions.can_act(user, warning),
        "stale": stale,
    }


@login_required
def warning_detail(request, pk):
    warning = get_object_or_404(_queryset(request), pk=pk)
    return render(request, "exits/detail.html", _context(request, warning))


@login_required
@require_POST
def warning_action(request, pk, action):
    return record_action_view(
        request,
        _queryset(request),
        pk,
        ACTIONS[action],
        template="exits/detail.html",
        context=_context,
    )


@login_required
def step_document(request, pk, step_pk):
    warning = get_object_or_404(ExitWarning.objects.visible_to(request.user), pk=pk)
    step = get_object_or_404(ExitStep, pk=step_pk, warning=warning)
    try:
        handle = step.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=step.original_name)


def warnings_for_project(user, project) -> dict:
    """Context for ``exits/_project_warnings.html`` on a project's page: the project's
    exit warnings the user may see (two queries), newest first."""
    warnings = list(
        ExitWarning.objects.visible_to(user)
        .with_days_left(clock.today())
        .filter(project_id=project.pk)
        .select_related("rule")
        .order_by("-raised_on", "-id")
    )
    if roles.is_enterprise(user):
        return {"exit_warnings": warnings, "exit_project": project, "exit_clocks": []}
    return {
        "exit_warnings": warnings,
        "exit_project": project,
        "exit_clocks": upcoming_clocks(project, {w.rule_id for w in warnings}),
    }


def upcoming_clocks(project, warned: set[int]) -> list:
    """The project's clocks under the district's rules it has no warning under yet and
    whose fact it has not reached: when each is due, from the agreement or the default
    rule (and what the default rule would have said), held or not."""
    if project.kind != ProjectKind.INVESTMENT or project.stage in EXIT_STAGES:
        return []
    today, rows = clock.today(), []
    rules = list(ExitRule.objects.filter(district_id=project.district_id).order_by("months", "id"))
    land_rule = next((r for r in rules if r.code == RuleCode.NO_LAND), None)
    rules = [r for r in rules if r.is_active and r.pk not in warned]
    # Which rules' facts the project has reached: one query for all of them.
    met = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            **{
                f"met_{r.pk}": ExpressionWrapper(services.fact_met_q(r), BooleanField())
                for r in rules
            }
        )
        .values(*(f"met_{r.pk}" for r in rules))
        .get()
        if rules
        else {}
    )
    this = Project.objects.filter(pk=project.pk)
    for rule in rules:
        if met[f"met_{rule.pk}"]:
            continue
        found = services.exit_clocks(rule, this, today, land_rule)[project.pk]
        if found.due_on is None or (rule.is_government and project.signed_on is None):
            continue
        anchor = getattr(project, ANCHOR_FIELDS[rule.anchor])
        default = services.add_months(anchor, rule.months) if anchor else None
        rows.append({"rule": rule, "clock": found, "default_due": default})
    return rows
