"""Project registry pages: the list, its export and print view, a project's overview and history,
create, edit and the Excel import."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoshang.core import clock, pagecache, roles
from zhaoshang.core.actions import form_post
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.history import history_rows
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.paging import CappedCountPaginator
from zhaoshang.core.printing import print_page
from zhaoshang.core.views_helpers import import_page, import_report, import_template
from zhaoshang.projects import search, services
from zhaoshang.projects.choices import EXIT_STAGES, STAGE_ORDER
from zhaoshang.projects.forms import ProjectFilterForm, ProjectForm
from zhaoshang.projects.imports import ProjectImporter
from zhaoshang.projects.models import (
    EvidenceOwed,
    FundsEntry,
    MonthlyReport,
    Project,
    ProjectTeamMember,
    StageEvent,
)
from zhaoshang.projects.views.common import get_visible_project, project_context

PER_PAGE = 25
#: What a row of the list shows besides the project (``filtered_projects``, ``project_list``).
LISTED_WITH = ("enterprise", "industry", "park", "working_group")
SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name_pinyin",
    "-name": "-name_pinyin",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "stage": "stage_order",
    "-stage": "-stage_order",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "signed": "signed_on",
    "-signed": "-signed_on",
}


def _stage_order_expression():
    return Case(
        *[When(stage=s, then=Value(i)) for i, s in enumerate([*STAGE_ORDER, *EXIT_STAGES])],
        output_field=IntegerField(),
    )


def _changed_this_month(qs, change: str):
    """The projects signed, started or moved to another stage since the month's first day."""
    today = clock.today()
    month = (today.replace(day=1), today)
    if change == ProjectFilterForm.MOVED:
        moves = StageEvent.objects.filter(project=OuterRef("pk"), occurred_on__range=month)
        return qs.filter(Exists(moves))
    field = "signed_on" if change == ProjectFilterForm.SIGNED else "started_on"
    return qs.filter(**{f"{field}__range": month})


def filtered_projects(request, *, funds: bool = True, keyed: bool = False):
    """The visible projects filtered as the list's query string says; shared by list and export.
    ``funds=False``: without the funds in place (the list adds them to the rows it shows,
    ``with_funds``); ``keyed``: a term read off the index reads its candidates by key alone
    (the list's count with its page's keys, ``search.condition``)."""
    form = ProjectFilterForm(request.GET or None, user=request.user)
    qs = Project.objects.visible_to(request.user)
    qs = qs.with_list_data() if funds else qs.select_related(*LISTED_WITH)
    if form.is_valid():
        data = form.cleaned_data
        # counted up to the registry's cap: a term read off the index up to more matches
        qs = qs.search(data.get("q"), common=search.COUNTED, keyed=keyed)
        for name in ("stage", "park", "industry", "level", "condition", "working_group", "kind"):
            value = data.get(name)
            if value:
                qs = qs.filter(**{name: value})
        if data.get("district"):
            qs = qs.filter(district=data["district"])
        if data.get("changed"):
            qs = _changed_this_month(qs, data["changed"])
        if data.get("mine"):
            qs = qs.held_by(request.user)
        if data.get("report_missing"):
            qs = qs.owing_report(clock.today())
    sort = request.GET.get("sort") or "-updated"
    order = SORTS.get(sort, "-updated_at")
    if order.lstrip("-") == "stage_order":  # built, and computed, only to sort by it
        qs = qs.annotate(stage_order=_stage_order_expression())
    return form, qs.order_by(order, "-id"), sort


def with_funds(projects: list) -> list:
    """``projects`` each with its ``funds_in_place``: one query for the rows shown rather
    than a sum per project of the district before the page is cut (issue 19.3)."""
    sums = dict(
        FundsEntry.objects.filter(project_id__in=[p.pk for p in projects])
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values_list("project", "total")
    )
    for project in projects:
        project.funds_in_place = sums.get(project.pk) or Decimal("0")
    return projects


class RegistryPaginator(CappedCountPaginator):
    """The registry's pages, its heading's count and total investment with them."""

    cap = 1_000


# The filters whose matches the heading counts and sums off an index alone: the district's
# (a city user's choice; everybody else's own), then the stage or the park, then
# ``total_investment`` (``project_investment``, ``project_stage_investment``,
# ``project_park_investment``).
INDEXED_FILTERS = frozenset({"district", "stage", "park"})


def counted_whole(form) -> bool:
    """Whether the heading counts and sums every project the registry lists — or stops
    counting past ``RegistryPaginator.cap``.

    Whole when the statement is read off an index alone, however many projects there are:
    no search term, and no filter but a district, a stage or a park (one of those two: both
    together have no index). That is the registry as opened (the user's district, a park
    committee's parks, or the city's every district) and as the homes link to it by stage
    and by park: its count and total investment stay exact at any size (a park committee's
    stage filter reads its parks' rows of the stage: no index has both, few projects do).
    Anything else — a search term (a common one is walked and finds thousands; a rarer one,
    read off the search's index, up to ``search.COUNTED``), a level, a condition, a kind, an
    industry, a working group, "mine", "report missing", "changed this month" — costs a
    read of every match's row: those are counted no further than the cap (the first
    ``cap + 1`` matches, in the same one statement as the total), and past it the heading
    says "more than", leaves the total investment out (the sum of some matches would be a
    wrong figure) and asks for a narrower search; the pages run up to the cap. The export
    and the print view are not capped: they list every match."""
    if not form.is_bound or not form.is_valid():
        return True  # no filter applied: the registry whole
    data = form.cleaned_data
    if data.get("q"):
        return False
    chosen = {name for name, value in data.items() if value}
    return chosen <= INDEXED_FILTERS and not {"stage", "park"} <= chosen


@login_required
@pagecache.kept_page
def project_list(request):
    """The registry: a page of 25 projects, its heading the count and total investment of
    every match — counted whole when an index alone holds them (no search term; no filter
    but a district, a stage or a park), else no further than ``RegistryPaginator.cap``
    (1,000): past it "more than 1,000", no total, pages up to the cap (``counted_whole``)."""
    form, qs, sort = filtered_projects(request, funds=False, keyed=True)
    show_district = roles.sees_all_districts(request.user)
    if show_district:
        qs = qs.select_related("district")
    # The heading's count and total in one statement, which is also the paginator's count
    # (``counted_whole``: capped where counting means reading every match).
    # A search read off the index (``qs.sought``: its matches a bounded few) is counted in
    # the statement that reads the page's keys, its rows then read by key: the candidates
    # read once (鑫 at 50,000 projects, 1,250 of them: the count and the page each read them
    # before, docs/scaling.md).
    related = (*LISTED_WITH, "district") if show_district else LISTED_WITH
    paginator = RegistryPaginator(
        qs,
        PER_PAGE,
        aggregates={"investment": Sum("total_investment")},
        whole=counted_whole(form),
        with_page=(
            (
                lambda keys: (
                    Project.objects.visible_to(request.user)
                    .select_related(*related)
                    .filter(pk__in=keys)
                )
            )
            if qs.sought
            else None
        ),
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_funds(list(page.object_list))
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "count": paginator.count,
            "capped": paginator.capped,
            "show_district": show_district,
            "totals": paginator.totals,
            "can_create": roles.can_edit_registry(request.user, request.user.district_id),
        },
    )


@login_required
def project_export(request):
    _form, qs, _sort = filtered_projects(request)
    columns = [
        (_("Code"), lambda p: p.code),
        (_("Name"), lambda p: p.name),
        (_("Kind"), lambda p: p.get_kind_display()),
        (_("Enterprise"), lambda p: p.enterprise.name if p.enterprise else ""),
        (_("Credit code"), lambda p: p.enterprise.credit_code if p.enterprise else ""),
        (_("Industry"), lambda p: str(p.industry or "")),
        (_("Park"), lambda p: str(p.park)),
        (_("Level"), lambda p: p.get_level_display()),
        (_("Source"), lambda p: p.get_source_display()),
        (_("Stage"), lambda p: p.get_stage_display()),
        (_("Condition"), lambda p: p.get_condition_display()),
        (_("Total investment (10k yuan)"), lambda p: p.total_investment),
        (_("Fixed-asset investment (10k yuan)"), lambda p: p.fixed_asset_investment),
        (_("Funds in place (10k yuan)"), lambda p: p.funds_in_place),
        (_("Land area (mu)"), lambda p: p.land_area),
        (_("Investment intensity (10k yuan/mu)"), lambda p: p.investment_intensity),
        (_("Signed on"), lambda p: p.signed_on),
        (_("Started on"), lambda p: p.started_on),
        (_("In production on"), lambda p: p.production_on),
        (_("Working group"), lambda p: str(p.working_group or "")),
        (_("Green channel"), lambda p: _("Yes") if p.is_green_channel else _("No")),
    ]
    if request.user.is_superuser or not request.user.district_id:
        columns.insert(0, (_("District"), lambda p: str(p.district)))
        qs = qs.select_related("district")
    return xlsx_response(
        "projects",
        _("Projects"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Project register"),
    )


@login_required
def project_print(request):
    """The registry as filtered and sorted, every row, on A4 landscape (台账)."""
    form, qs, _sort = filtered_projects(request)
    rows = list(qs.select_related("district"))
    return print_page(
        request,
        "projects/list_print.html",
        title=pgettext("print title", "Project register"),
        rows=rows,
        form=form,
        back_url=reverse("projects:list"),
        total_investment=sum((p.total_investment or 0 for p in rows), Decimal("0")),
        total_funds=sum((p.funds_in_place or 0 for p in rows), Decimal("0")),
    )


@login_required
@pagecache.kept_page
def project_detail(request, pk):
    project = get_visible_project(request, pk)
    funds_total = project.funds.aggregate(total=Sum("amount"))["total"]
    paired = list(project.paired_departments.all())
    latest_report = project.monthly_reports.first()
    # 补录: the evidence its imported stages still owe (the secretary's to-do).
    owed = list(
        EvidenceOwed.objects.open()
        .filter(project=project)
        .select_related("material_type", "stage_event")
        .order_by("stage_event__occurred_on", "material_type__sort_order", "id")
    )
    return render(
        request,
        "projects/detail_overview.html",
        project_context(
            request,
            project,
            "overview",
            funds_total=funds_total,
            paired=paired,
            latest_report=latest_report,
            owed=owed,
        ),
    )


# Records of a project whose events are the project's history too.
PROJECT_RECORDS = ("approvals.ApprovalCase", "service.Need", "complaints.Complaint")


def _about_project(project) -> Q:
    """The events of the project's history: its own, those that name it (``data.project``)
    and those of its approval cases, needs and complaints — whoever acted, the enterprise's
    contacts included. The apps above projects are found by label (they import projects)."""
    about = Q(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)
    about |= Q(data__project=project.pk)
    for label in PROJECT_RECORDS:
        model = apps.get_model(label)
        about |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=model._default_manager.filter(project_id=project.pk).values("pk"),
        )
    return about


@login_required
def project_history(request, pk):
    project = get_visible_project(request, pk)
    rows = history_rows(project.history.all(), Project, subject=_("Project"))
    rows += history_rows(
        ProjectTeamMember.history.filter(project_id=project.pk),
        ProjectTeamMember,
        subject=_("Team"),
    )
    rows += history_rows(
        FundsEntry.history.filter(project_id=project.pk), FundsEntry, subject=_("Funds in place")
    )
    rows += history_rows(
        MonthlyReport.history.filter(project_id=project.pk),
        MonthlyReport,
        subject=_("Monthly report"),
    )
    rows.sort(key=lambda r: r.when, reverse=True)
    events = (
        DomainEvent.objects.filter(district_id=project.district_id)
        .filter(_about_project(project))
        .select_related("actor__enterprise")  # a contact is shown with its enterprise
        .order_by("-occurred_at", "-id")[:100]
    )
    return render(
        request,
        "projects/detail_history.html",
        project_context(request, project, "history", rows=rows[:200], events=events),
    )


def _form_page(request, form, project=None, status=200, stale=""):
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "stale": stale},
        status=status,
    )


def _form_data(data) -> dict:
    return {k: v for k, v in data.items() if k not in ("paired_departments", "version")}


@login_required
def project_create(request):
    user = request.user
    if not roles.can_edit_registry(user, user.district_id):
        raise PermissionDenied
    district = user.district
    if request.method != "POST":
        return _form_page(request, ProjectForm(district=district))
    return form_post(
        request,
        ProjectForm(request.POST, district=district),
        lambda data: services.create_project(
            user, district, _form_data(data), data["paired_departments"]
        ),
        render_page=lambda form, status, stale: _form_page(request, form, status=status),
        redirect_to=lambda project: project.get_absolute_url(),
        success=lambda project: _("Project %(code)s has been registered.") % {"code": project.code},
    )


@login_required
def project_edit(request, pk):
    """Edit the project's own fields; someone else's save first is 409 (the input is kept
    and the page says what happened)."""
    project = get_visible_project(request, pk)
    if not roles.can_edit_registry(request.user, project.district_id):
        raise PermissionDenied
    if request.method != "POST":
        form = ProjectForm(instance=project, district=project.district)
        return _form_page(request, form, project)
    return form_post(
        request,
        ProjectForm(
            request.POST, instance=Project.objects.get(pk=project.pk), district=project.district
        ),
        lambda data: services.update_project(
            request.user,
            project,
            _form_data(data),
            expected_version=data.get("version") or project.version,
            paired_departments=data["paired_departments"],
        ),
        render_page=lambda form, status, stale: _form_page(
            request, form, project, status=status, stale=stale
        ),
        redirect_to=project.get_absolute_url(),
        success=_("The project has been saved."),
    )


# --- Excel import (SPEC §16) -----------------------------------------------------------------


@login_required
def project_import(request):
    return import_page(
        request,
        ProjectImporter,
        namespace="projects",
        title=_("Import projects"),
        list_title=_("Projects"),
    )


@login_required
def project_import_template(request):
    return import_template(request, ProjectImporter)


@login_required
def project_import_report(request):
    return import_report(request, ProjectImporter, namespace="projects")
