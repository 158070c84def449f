"""The KPI charts page (SPEC §12, 挂图作战; issue 18 point 3): the project funnel by stage,
signed investment and funds in place by month against the year's target and last year
(同比), the "369" tiers, and every KPI as of each month end — over the projects the user
sees (``visible_to``) with the KPI page's own filters. The figures are ``kpis.charts``'.

The KPIs as of each month end are twelve ``services.compute`` (five queries each, but a
few seconds of building the queries): the charts page and the KPI page fetch them after
they are shown, from ``kpis:trends`` (``static/kpis/trends.js``)."""

from __future__ import annotations

import calendar
import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.charts import name_pngs
from zhaoshang.core.services import require
from zhaoshang.core.views_helpers import paginate
from zhaoshang.kpis import charts, permissions, services
from zhaoshang.kpis.forms import FundsMonthForm, KpiFilterForm
from zhaoshang.kpis.services import Period
from zhaoshang.projects.choices import Level
from zhaoshang.projects.funnel import figures as stage_figures
from zhaoshang.projects.models import FundsEntry, Project


def filtered(request, form):
    """The projects the user sees, with the form's filters."""
    return services.filter_projects(
        Project.objects.visible_to(request.user), **form.project_filters()
    )


def png_context(request, form) -> list[str]:
    """What a chart's PNG is named after besides its title: the district (or the city), the
    filters chosen and the year — "东城区 先进制造组 2026年"."""
    chosen = form.project_filters()
    if "district" in chosen:
        scope = chosen["district"].name
    elif roles.sees_all_districts(request.user):
        scope = _("The city")
    else:
        scope = getattr(request.user.district, "name", "")
    levels = dict(Level.choices)
    narrowing = [
        str(getattr(value, "name", None) or levels.get(value, value))
        for name, value in chosen.items()
        if name != "district"
    ]
    period = Period.of(**form.period_args())
    return [scope, *narrowing, _("Year %(year)s") % {"year": period.label}]


def trend_charts(request, form, projects) -> list:
    """The KPI trends of the filters (the charts page and the KPI page), each PNG named
    after the district, the filters and the year."""
    trend = charts.kpi_trend(projects, form.period_args(), request.user, form.project_filters())
    out = charts.trend_charts(trend, form.query)
    name_pngs(out, *png_context(request, form))
    return out


@login_required
def charts_page(request):
    require(permissions.can_read(request.user))
    form = KpiFilterForm(request.GET, user=request.user)
    context = {"form": form, "is_city": roles.sees_all_districts(request.user)}
    if not form.is_valid():
        return render(request, "kpis/charts.html", context, status=400)
    filters = form.project_filters()
    projects = filtered(request, form)
    args = form.period_args()
    period = Period.of(args["year"], None, args.get("since"))
    year_only = Period.of(period.year)  # the amounts and the tiers are of the year alone
    funnel = stage_figures(projects)
    amounts = charts.monthly_amounts(projects, year_only)
    targets = charts.targets_of(request.user, filters, year_only)

    def tier_query(**extra) -> str:
        return form.query(since="", **extra)

    def signed_by(year, end, month=False) -> str:
        """The projects signed in the year up to a month end (a cumulative point), or in
        that month alone (``month``: a month's bar), each at its investment at the chart's
        cut-off (the year's end or today: no ``as_of``), as the chart counts it."""
        extra = {"signed_from": end.replace(day=1)} if month else {}
        query = form.query(year=year, since="", kpi="signed_investment", signed_to=end, **extra)
        return f"{reverse('kpis:drill')}?{query}"

    def funds_in(year, end, month=False) -> str | None:
        """The funds received in a month (a month's bar; a cumulative point opens none)."""
        if not month:
            return None
        return f"{reverse('kpis:funds')}?{form.query(year=year, since='', month=end.month)}"

    context.update(
        year=period.label,
        period=period,
        funnel=charts.funnel_charts(funnel, filters),
        exits=charts.exits(funnel, filters),
        amounts=[
            charts.amount_chart(
                "signed-investment",
                _("Signed investment by month (10k yuan)"),
                amounts["signed_investment"],
                targets.total("signed_investment"),
                year_only,
                drill=signed_by,
            ),
            charts.amount_chart(
                "funds-in-place",
                _("Funds in place by month (10k yuan)"),
                amounts["funds_in_place"],
                targets.total("funds_in_place"),
                year_only,
                drill=funds_in,
            ),
        ],
        targets=targets,
        tiers=charts.tier_chart(targets, tier_query),
    )
    named = png_context(request, form)
    name_pngs([*context["amounts"], context["tiers"]], *named)
    name_pngs(context["funnel"], named[0], *named[1:-1], clock.today().isoformat())
    return render(request, "kpis/charts.html", context)


@login_required
def trends(request):
    """The KPIs as of each month end, as an HTML fragment the KPI page fetches
    (``static/kpis/trends.js``); bad filters are a 400 naming the field."""
    require(permissions.can_read(request.user))
    form = KpiFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(messages)}"
            for name, messages in form.errors.items()
        )
        return HttpResponseBadRequest(escape(errors), content_type="text/plain; charset=utf-8")
    charts_ = trend_charts(request, form, filtered(request, form))
    return render(request, "kpis/_trends.html", {"trends": charts_})


@login_required
def funds_month(request):
    """The funds in place received in a month by the projects the user sees, filtered as
    on the charts page: the rows behind a bar of the funds in place by month (their sum is
    the bar), up to today in the current month."""
    require(permissions.can_read(request.user))
    form = FundsMonthForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "kpis/funds.html", {"form": form}, status=400)
    year, month = form.cleaned_data["year"], form.month_of()
    first = datetime.date(year, month, 1)
    cut = min(first.replace(day=calendar.monthrange(year, month)[1]), clock.today())
    rows = (
        FundsEntry.objects.filter(
            project__in=filtered(request, form).order_by().values("pk"),
            received_on__gte=first,
            received_on__lte=cut,
        )
        .select_related("project", "project__district")
        .order_by("received_on", "id")
    )
    total = rows.order_by().aggregate(total=Sum("amount"))["total"] or 0
    return render(
        request,
        "kpis/funds.html",
        {
            "form": form,
            "label": charts.month_label(month, cut if cut >= first else None),
            "year": year,
            "first": first,
            "cut": cut,
            "total": total,
            "page": paginate(request, rows),
            "show_district": roles.sees_all_districts(request.user),
            "back_query": form.query(month=""),
        },
    )
