"""Receipts and problems summarised per project or per leader, by week or month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.leaders import leader_in_charge_id
from zhaoshang.service.choices import OPEN_NEED_STATUSES, Period, ReceiptResult
from zhaoshang.service.forms import SummaryForm
from zhaoshang.service.models import Need, Receipt


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
    today = clock.today()
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
        # the project's leader in charge now (projects.leaders: the one rule).
        need_key = Coalesce("receipt__addressee_id", leader_in_charge_id("project"))
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
