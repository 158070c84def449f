"""KPI and target pages (SPEC §1, §12): the KPIs of a year with their filters, the projects
behind every figure, the districts side by side for city users, and the targets with
their progress.

KPIs are computed over the projects the user can see (``Project.objects.visible_to``), so
a district user sees their district and a city user the whole city (or one district).
Targets change through ``kpis.services``; a target outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, pagecache, roles
from zhaoshang.core.actions import run_service
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.replica import reading
from zhaoshang.core.services import require
from zhaoshang.core.views_helpers import paginate
from zhaoshang.kpis import permissions, services, snapshots
from zhaoshang.kpis.forms import DrillForm, KpiFilterForm, TargetForm
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.kpis.services import KPI_LABELS, KPI_NAMES, RATE_NAMES
from zhaoshang.org.models import District
from zhaoshang.projects.models import Project


def _projects(request):
    return Project.objects.visible_to(request.user)


def _cards(kpis, form) -> list[dict]:
    """One card per KPI: its value, numerator and denominator with their drill links."""
    cards = []
    for name in KPI_NAMES:
        numerator, denominator = kpis.parts(name)
        cards.append(
            {
                "name": name,
                "label": KPI_LABELS[name],
                "value": getattr(kpis, name),
                "is_rate": name in RATE_NAMES,
                "numerator": numerator,
                "denominator": denominator,
                "numerator_query": form.query(kpi=name, part="numerator"),
                "denominator_query": form.query(kpi=name, part="denominator"),
            }
        )
    return cards


@login_required
@pagecache.kept_page
def kpi_page(request):
    """The KPIs of a year over the projects the user sees, filtered."""
    require(permissions.can_read(request.user))
    form = KpiFilterForm(request.GET, user=request.user)
    context = {"form": form, "is_city": roles.sees_all_districts(request.user)}
    if not form.is_valid():
        return render(request, "kpis/index.html", context, status=400)
    filters = form.project_filters()
    projects = services.filter_projects(_projects(request), **filters)
    kpis = snapshots.compute(request.user, projects, filters, **form.period_args())
    context.update(kpis=kpis, year=kpis.period.label, cards=_cards(kpis, form))
    context.update(_satisfaction(request, form, kpis.period))
    return render(request, "kpis/index.html", context)


def _satisfaction(request, form, period) -> dict:
    """企业满意度: the enterprises' ratings of the district's departments rated from the
    period's start to its cut-off (``ratings.services.satisfaction``), district-wide (the
    project filters do not narrow it); a city user picks the district."""
    from zhaoshang.ratings.services import satisfaction, satisfaction_total

    district = form.project_filters().get("district")
    district_id = district.pk if district is not None else request.user.district_id
    if district_id is None:
        return {"satisfaction_rows": None}
    rows = satisfaction(district_id, period.start, period.cutoff)
    return {"satisfaction_rows": rows, "satisfaction": satisfaction_total(rows)}


# Extra columns of the drill-down per KPI (template keys).
DRILL_COLUMNS = {
    "signed_count": ("signed_on", "total_investment"),
    "signed_investment": ("signed_on", "total_investment"),
    "registered_rate": ("signed_on", "registered_on"),
    "start_rate": ("signed_on", "started_on"),
    "production_rate": ("signed_on", "production_on"),
    "capacity_rate": ("production_on", "capacity_on"),
    "performance_rate": ("signed_on", "performing"),
    "funds_in_place_rate": ("contracted", "funds_to_cutoff"),
    "on_time_rate": ("cases_done", "cases_on_time"),
}


@login_required
def drill(request):
    """The projects behind the numerator or the denominator of a KPI."""
    require(permissions.can_read(request.user))
    form = DrillForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "kpis/drill.html", {"form": form}, status=400)
    data = form.cleaned_data
    kpi = data.get("kpi") or "signed_count"
    part = data.get("part") or "numerator"
    projects = services.filter_projects(_projects(request), **form.project_filters())
    kpis = services.compute(projects, **form.period_args())
    band = form.band()
    rows = (
        services.drill(projects, kpi=kpi, part=part, **form.period_args())
        .filter(**band)
        .select_related("park", "district", "enterprise")
        .order_by("signed_on", "id")
    )
    page = paginate(request, rows)
    numerator, denominator = kpis.parts(kpi)
    figure = numerator if part == "numerator" else denominator
    if band:  # a tier's band or a month: the figure is the rows' (signed projects only)
        figure = (
            page.paginator.count
            if kpi == "signed_count"
            else rows.order_by().aggregate(total=Sum("investment_then"))["total"] or 0
        )
    return render(
        request,
        "kpis/drill.html",
        {
            "form": form,
            "kpis": kpis,
            "year": kpis.period.label,
            "kpi": kpi,
            "part": part,
            "label": KPI_LABELS[kpi],
            "value": getattr(kpis, kpi),
            "is_rate": kpi in RATE_NAMES,
            "figure": figure,
            "columns": DRILL_COLUMNS[kpi],
            "page": page,
            "show_district": roles.sees_all_districts(request.user),
            "back_query": form.query(),
            "page_query": form.query(kpi=kpi, part=part),
            "as_of": data.get("as_of"),
            "tier_min": data.get("tier_min"),
            "tier_below": data.get("tier_below"),
            "signed_from": data.get("signed_from"),
            "signed_to": data.get("signed_to"),
            "band": bool(band),
        },
    )


def _compare(request, form) -> tuple[str, list[dict], object]:
    """The years' label, one row per district the user sees (with their KPIs), and the
    total. The comparison and its export call it inside ``core.replica.reading()``: the
    figures are read from the replica when there is one; a stale snapshot the read
    recomputes is still stored on the primary (the router sends every write there)."""
    filters = form.project_filters()
    projects = services.filter_projects(_projects(request), **filters)
    by_district = snapshots.by_district(request.user, filters, **form.period_args())
    if by_district is None:
        by_district = services.compute_by(projects, key="district", **form.period_args())
        total = services.compute(projects, **form.period_args())
    else:  # the snapshots: the total is the sum of the districts' rows
        total = snapshots.total(list(by_district.values()), **form.period_args())
    districts = District.objects.order_by("id")
    if not roles.sees_all_districts(request.user):
        districts = districts.filter(pk=request.user.district_id)
    elif filters.get("district"):
        districts = districts.filter(pk=filters["district"].pk)
    rows = []
    for district in districts:
        kpis = by_district.get(district.pk) or services.Kpis(period=total.period)
        rows.append(
            {
                "district": district,
                "kpis": kpis,
                "values": [(name, getattr(kpis, name)) for name in KPI_NAMES],
                "query": form.query(district=district.pk),
            }
        )
    return total.period.label, rows, total


@login_required
def compare(request):
    """SPEC §1: the districts side by side, one row per district (a district user sees
    their own district only)."""
    require(permissions.can_read(request.user))
    form = KpiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "kpis/compare.html", {"form": form}, status=400)
    with reading():  # the read replica, when there is one (core.replica)
        year, rows, total = _compare(request, form)
        return render(
            request,
            "kpis/compare.html",
            {
                "form": form,
                "year": year,
                "rows": rows,
                "total": [(name, getattr(total, name)) for name in KPI_NAMES],
                "headers": [(name, KPI_LABELS[name], name in RATE_NAMES) for name in KPI_NAMES],
                "is_city": roles.sees_all_districts(request.user),
                "export_query": form.query(),
            },
        )


@login_required
def export(request):
    """The comparison as an Excel workbook: a row per district and the total; each KPI
    with its numerator and denominator, rates as percentages."""
    require(permissions.can_read(request.user))
    form = KpiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "kpis/compare.html", {"form": form}, status=400)
    with reading():  # the read replica, when there is one (core.replica)
        year, rows, total = _compare(request, form)
    rows.append({"district": _("Total"), "kpis": total})

    def column(name, index=None):
        if index is None:
            value = lambda row: getattr(row["kpis"], name)  # noqa: E731
            if name in RATE_NAMES:
                return lambda row: None if value(row) is None else value(row) * 100
            return value
        return lambda row: row["kpis"].parts(name)[index]

    columns = [(_("District"), lambda row: str(row["district"]))]
    for name in KPI_NAMES:
        label = KPI_LABELS[name]
        if name in RATE_NAMES:
            columns += [
                (f"{label} (%)", column(name)),
                (f"{label}: {_('numerator')}", column(name, 0)),
                (f"{label}: {_('denominator')}", column(name, 1)),
            ]
        else:
            columns.append((str(label), column(name)))
    filename = f"kpis-{year}".replace("–", "-")
    name = pgettext("file name", "KPIs %(year)s") % {"year": year}
    return xlsx_response(
        filename, _("KPIs %(year)s") % {"year": year}, columns, rows, name=name.replace("–", "-")
    )


# ---------------------------------------------------------------------------------------
# Targets


def _targets(request):
    return AnnualTarget.objects.visible_to(request.user).select_related(
        "district", "working_group", "department"
    )


def _target_year(request) -> int:
    today = clock.today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return min(max(year, services.MIN_YEAR), services.MAX_YEAR)


def _with_shares(targets) -> list:
    for target in targets:
        target.tier_rows = [
            (n, minimum, count, getattr(target, f"tier{n}_done"))
            for n, minimum, count in target.tiers
        ]
        target.investment_share = (
            target.signed_investment_done / target.signed_investment * 100
            if target.signed_investment
            else None
        )
        target.funds_share = (
            target.funds_done / target.funds_in_place * 100 if target.funds_in_place else None
        )
    return targets


@login_required
def target_list(request):
    """The targets of a year with their progress (read by all, set by the bureau)."""
    require(permissions.can_read(request.user))
    year = _target_year(request)
    today = clock.today()
    targets = list(
        _targets(request)
        .filter(year=year)
        .with_progress(today)
        .order_by("district_id", "department_id", "working_group_id", "id")
    )
    user = request.user
    may_edit = permissions.can_edit_targets(user, user.district_id)
    return render(
        request,
        "kpis/targets.html",
        {
            "year": year,
            "years": list(range(today.year + 1, today.year - 5, -1)),
            "targets": _with_shares(targets),
            "may_edit": may_edit,
            "show_district": roles.sees_all_districts(user),
        },
    )


@login_required
def target_create(request):
    user = request.user
    require(permissions.can_edit_targets(user, user.district_id))
    form = TargetForm(request.POST or None, district_id=user.district_id)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        outcome = run_service(
            request,
            form,
            lambda: services.create_target(user, district=user.district, **data),
            success=_("The target has been saved."),
        )
        if outcome.ok:
            return redirect(f"{_list_url()}?year={outcome.result.year}")
    status = 400 if request.method == "POST" else 200
    return render(request, "kpis/target_form.html", {"form": form}, status=status)


def _list_url() -> str:
    return reverse("kpis:targets")


@login_required
def target_edit(request, pk):
    target = get_object_or_404(_targets(request), pk=pk)
    require(permissions.can_edit_targets(request.user, target.district_id))
    form = TargetForm(request.POST or None, district_id=target.district_id, record=target)
    stale = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        outcome = run_service(
            request,
            form,
            lambda: services.update_target(request.user, target, expected_version=version, **data),
            success=_("The target has been saved."),
        )
        if outcome.ok:
            return redirect(f"{_list_url()}?year={outcome.result.year}")
        stale = outcome.stale
    status = 409 if stale else (400 if request.method == "POST" else 200)
    return render(
        request,
        "kpis/target_form.html",
        {"form": form, "target": target, "stale": stale},
        status=status,
    )


@login_required
@require_POST
def target_delete(request, pk):
    target = get_object_or_404(_targets(request), pk=pk)
    require(permissions.can_edit_targets(request.user, target.district_id))
    year = target.year
    services.delete_target(request.user, target)
    messages.success(request, _("The target has been deleted."))
    return redirect(f"{_list_url()}?year={year}")
