"""Calendar pages: the year as twelve month grids and the list of loaded years (every
staff user); importing a year's file and publishing a draft year (the admin role)."""

from __future__ import annotations

import calendar as std_calendar
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.roles import Role
from zhaoshang.workdays import services
from zhaoshang.workdays.choices import EntryKind, YearStatus
from zhaoshang.workdays.forms import CalendarImportForm
from zhaoshang.workdays.models import CalendarEntry, CalendarYear, Day
from zhaoshang.workdays.rules import EPOCH, provisional_holidays

WEEKDAYS = [
    pgettext_lazy("calendar column", "Mon"),
    pgettext_lazy("calendar column", "Tue"),
    pgettext_lazy("calendar column", "Wed"),
    pgettext_lazy("calendar column", "Thu"),
    pgettext_lazy("calendar column", "Fri"),
    pgettext_lazy("calendar column", "Sat"),
    pgettext_lazy("calendar column", "Sun"),
]


def can_edit_calendar(user) -> bool:
    """The admin role imports and publishes years (the calendar is national: a district's
    admin edits it for every district, and every change is audited)."""
    return roles.has_role(user, Role.ADMIN) and not roles.is_city(user)


def _require_staff(user) -> None:
    if not roles.is_staff_user(user):
        raise PermissionDenied


@dataclass
class Cell:
    date: datetime.date
    kind: str  # "work", "off", "weekend", "adjusted"
    name: str = ""


def _month_grids(year: int, workdays: dict[datetime.date, bool], names: dict, kinds: dict):
    weeks_of = std_calendar.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                weekend = day.weekday() >= 5
                if workdays.get(day, not weekend):
                    kind = "adjusted" if weekend else "work"
                elif weekend and kinds.get(day) != EntryKind.HOLIDAY and day not in names:
                    kind = "weekend"
                else:
                    kind = "off"
                row.append(Cell(day, kind, names.get(day, "")))
            weeks.append(row)
        months.append({"first": datetime.date(year, month, 1), "weeks": weeks})
    return months


@login_required
def calendar_page(request, year: int | None = None):
    _require_staff(request.user)
    today = clock.today()
    year = year or today.year
    last_year = max(today.year + services.YEARS_AHEAD, (services.index_last() or EPOCH).year)
    if not EPOCH.year <= year <= last_year:
        raise Http404
    services.ensure_range(datetime.date(year, 12, 31))
    years = list(CalendarYear.objects.select_related("loaded_by").order_by("-year"))
    by_year = {y.year: y for y in years}
    this_year = by_year.get(year)
    entries = list(CalendarEntry.objects.filter(calendar_year__year=year).order_by("date"))
    days = dict(
        Day.objects.filter(date__year=year).order_by("date").values_list("date", "is_workday")
    )
    provisional = not (this_year and this_year.is_published)
    if provisional:
        names = provisional_holidays(year) if year >= 2008 else {}
        kinds = {}
    else:
        names = {e.date: e.name or e.get_kind_display() for e in entries}
        kinds = {e.date: e.kind for e in entries}
    listed = sorted(set(by_year) | {today.year, today.year + 1}, reverse=True)
    rows = [(y, by_year.get(y)) for y in listed]
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "calendar_year": this_year,
            "provisional": provisional,
            "draft_entries": entries if this_year and not this_year.is_published else [],
            "months": _month_grids(year, days, names, kinds),
            "weekdays": WEEKDAYS,
            "workday_count": sum(days.values()),
            "off_count": len(days) - sum(days.values()),
            "rows": rows,
            "previous_year": year - 1 if year > EPOCH.year else None,
            "next_year": year + 1 if year < last_year else None,
            "today": today,
            "can_edit": can_edit_calendar(request.user),
            "status_published": YearStatus.PUBLISHED,
        },
    )


@login_required
def import_year(request):
    if not can_edit_calendar(request.user):
        raise PermissionDenied
    problems = []
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loaded = services.import_csv(
                data["file"].read(),
                notice=data["notice"],
                title=data["title"],
                draft=data["draft"],
                user=request.user,
            )
        except services.CalendarImportError as exc:
            problems = exc.problems
        else:
            if loaded.is_published:
                messages.success(
                    request,
                    _("The %(year)s arrangement is loaded and in force.") % {"year": loaded.year},
                )
            else:
                messages.success(
                    request,
                    _(
                        "The %(year)s arrangement is loaded as a draft; publish it to put it in force."
                    )
                    % {"year": loaded.year},
                )
            return redirect("workdays:year", loaded.year)
    return render(request, "workdays/import.html", {"form": form, "problems": problems})


@login_required
@require_POST
def publish(request, year: int):
    if not can_edit_calendar(request.user):
        raise PermissionDenied
    if not CalendarYear.objects.filter(year=year).exists():
        raise Http404
    try:
        services.publish_year(year, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The %(year)s arrangement is published and in force.") % {"year": year}
        )
    return redirect("workdays:year", year)
