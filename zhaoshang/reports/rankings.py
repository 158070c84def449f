"""The district's departments ranked (issue 18, 挂图作战): by the approval cases they
finished on time (办件按时办结率) and by the enterprises' satisfaction with them (好评率), in
a year or a date range, each as a horizontal bar chart, best first, with the table behind
it. A bar opens the rows behind it: the department's cases done in the period (listed on
this page), or its ratings.

The page lives with the reports because the figures are the quarterly bulletin's
(``figures/quarterly.py``) over any period, and because the assessment app may not import
approvals or ratings (they write its ledger: the import contract forbids the cycle). Who
reads it is the assessment's rule (``assessment.permissions``): the supervision office,
leaders and admins every department of their district, city users every district (they
pick one), any other government user their own department.

"On time" is approvals' one definition (``approvals.querysets.on_time_q``), satisfaction
``ratings.services.satisfaction``: nothing is re-derived here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.querysets import on_time_q
from zhaoshang.assessment import permissions
from zhaoshang.core import charts, clock, roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.services import require
from zhaoshang.core.views_helpers import paginate
from zhaoshang.org.models import Department, District
from zhaoshang.ratings.services import satisfaction, satisfaction_total

RATE_PLACES = Decimal("0.0001")
MIN_YEAR = 2000
BAR_HEIGHT = 30  # px per department on the charts


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUND_HALF_UP)


def percent(rate: Decimal | None) -> float | None:
    """A rate (0–1) as the charts' percent, one decimal place."""
    return None if rate is None else round(float(rate) * 100, 1)


def percent_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{percent(rate):.1f}%"


# ---------------------------------------------------------------------------------------
# The figures


@dataclass(frozen=True)
class OnTime:
    """One department's cases done in the period and those done on time."""

    department_id: int | None
    department: str
    done: int
    on_time: int

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.on_time, self.done)


def on_time(
    district_id: int, start: datetime.date, end: datetime.date, department_id: int | None = None
) -> list[OnTime]:
    """Per department of the district that finished a case from ``start`` to ``end`` (both
    included), in one aggregate query, the best rate first (ties: more cases first, then
    the departments' order). ``department_id`` keeps that department alone."""
    cases = ApprovalCase.objects.filter(district_id=district_id).done(until=end, since=start)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    rows = (
        cases.order_by()
        .values("department_id", "department__name", "department__sort_order")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=on_time_q()))
    )
    out = sorted(
        rows, key=lambda r: (r["department__sort_order"], r["department_id"])
    )  # the departments' order, for the ties
    found = [
        OnTime(r["department_id"], r["department__name"], r["done"], r["on_time"]) for r in out
    ]
    found.sort(key=lambda r: (-r.rate, -r.done))  # stable
    return found


def on_time_total(rows) -> OnTime:
    rows = list(rows)
    return OnTime(None, "", sum(r.done for r in rows), sum(r.on_time for r in rows))


# ---------------------------------------------------------------------------------------
# The filters


class RankingFilterForm(BootstrapMixin, forms.Form):
    """A year, or a date range (both ends); a city user picks the district."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=MIN_YEAR, required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        if roles.sees_all_districts(user):
            self.fields["district"].queryset = District.objects.order_by("id")
            self.fields["district"].empty_label = None
        else:
            del self.fields["district"]
        departments = Department.objects.all()
        if not roles.sees_all_districts(user):
            departments = departments.filter(district_id=user.district_id)
        if not permissions.sees_every_department(user):
            departments = departments.filter(pk=permissions.own_department_id(user))
        self.fields["department"].queryset = departments

    def clean_year(self):
        year = self.cleaned_data.get("year")
        last = clock.today().year + 1
        if year is not None and year > last:
            raise forms.ValidationError(
                _("Choose a year up to %(last)s.") % {"last": last}, code="max_value"
            )
        return year

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            pass  # a date that is not one is named already
        elif (start is None) != (end is None):
            missing = "end" if start else "start"
            self.add_error(missing, _("Give both ends of the date range, or neither."))
        elif start and end and start > end:
            self.add_error(
                "end",
                _("The range ends (%(end)s) before it starts (%(start)s).")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        district, department = data.get("district"), data.get("department")
        if department and district and department.district_id != district.pk:
            self.add_error("department", _("This department is not of the chosen district."))
        return data

    def chosen_district(self):
        """The district shown: the user's own, or the one a city user chose (the first
        when none)."""
        if "district" in self.fields:
            chosen = self.cleaned_data.get("district")
            return chosen or self.fields["district"].queryset.first()
        if not self.user.district_id:
            raise PermissionDenied
        return District.objects.get(pk=self.user.district_id)

    def period(self) -> tuple[datetime.date, datetime.date]:
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        year = data.get("year") or clock.today().year
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def query(self, district, **extra) -> str:
        data = self.cleaned_data
        params: dict = {}
        if data.get("start") and data.get("end"):
            params.update(start=data["start"].isoformat(), end=data["end"].isoformat())
        else:
            params["year"] = self.period()[0].year
        if "district" in self.fields and district is not None:
            params["district"] = district.pk
        params.update(extra)
        return urlencode(params)

    def error_list(self) -> list[str]:
        """Every error as "field label: message" (the 400 page names the field)."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for message in errors:
                out.append(f"{label}：{message}" if label else str(message))
        return out


# ---------------------------------------------------------------------------------------
# The charts


def _height(n: int) -> int:
    return max(160, 70 + BAR_HEIGHT * n)


def _ranked_bars(rows, name: str, url, colour: str) -> dict:
    """Departments as horizontal bars of a rate, best first, each labelled in % and opening
    ``url(row)``."""
    option = charts.bar_line(
        [r.department for r in rows],
        [
            {
                "name": name,
                "type": "bar",
                "data": [{"value": percent(r.rate), "url": url(r)} for r in rows],
                "color": colour,
                "label": True,
            }
        ],
        horizontal=True,
        percent=True,
    )
    option["series"][0]["label"]["formatter"] = "{c}%"
    option["grid"]["right"] = 56  # room for the last bar's label
    return option


def on_time_chart(rows: list[OnTime], page_url: str, query: str) -> charts.Chart:
    def url(r):
        return f"{page_url}?{query}&department={r.department_id}#cases"

    option = _ranked_bars(rows, _("On-time rate"), url, charts.SERIES[0])
    table = charts.Table(
        [_("Department"), _("Cases done"), _("Done on time"), _("Done late"), _("On-time rate")]
    )
    for r in rows:
        table.add(r.department, r.done, r.on_time, r.late, percent_text(r.rate), url=url(r))
    return charts.Chart(
        key="on-time",
        title=_("Approval cases done on time, by department"),
        option=option,
        table=table,
        height=_height(len(rows)),
    )


def satisfaction_chart(rows, ratings_url: str) -> charts.Chart:
    def url(r):
        return f"{ratings_url}?department={r.department_id}"

    option = _ranked_bars(rows, _("Satisfaction"), url, charts.SERIES[1])
    table = charts.Table(
        [
            _("Department"),
            _("Ratings"),
            _("Satisfied"),
            _("Fairly satisfied"),
            _("Dissatisfied"),
            _("Satisfaction"),
        ]
    )
    for r in rows:
        table.add(
            r.department,
            r.rated,
            r.satisfied,
            r.fairly,
            r.dissatisfied,
            percent_text(r.rate),
            url=url(r),
        )
    return charts.Chart(
        key="satisfaction",
        title=_("Enterprises' satisfaction, by department"),
        option=option,
        table=table,
        height=_height(len(rows)),
    )


# ---------------------------------------------------------------------------------------
# The page


def _cases(user, district, department, start, end):
    """The department's cases done in the period (the rows behind its bar), as far as the
    user sees them, with whether each was on time."""
    return (
        ApprovalCase.objects.visible_to(user)
        .filter(district=district, department=department)
        .done(until=end, since=start)
        .annotate(is_on_time=ExpressionWrapper(on_time_q(), output_field=BooleanField()))
        .select_related("project", "item")
        .order_by("-done_on", "-id")
    )


@login_required
def department_rankings(request):
    """The departments ranked by on-time rate and satisfaction, with the tables behind."""
    user = request.user
    require(permissions.may_read_ledger(user))
    form = RankingFilterForm(request.GET or None, user=user)
    context: dict = {"form": form, "years": _years(), **_tabs(user)}
    if request.GET and not form.is_valid():
        context["errors"] = form.error_list()
        return render(request, "reports/rankings.html", context, status=400)
    if not request.GET:
        form = RankingFilterForm({}, user=user)
        form.is_valid()
        context["form"] = form
    district = form.chosen_district()
    start, end = form.period()
    own = None if permissions.sees_every_department(user) else permissions.own_department_id(user)
    page_url = reverse("reports:rankings")
    query = form.query(district)
    timely, rated = [], []
    if district is not None:
        timely = on_time(district.pk, start, end, own)
        rated = satisfaction(district.pk, start, end)
        if own is not None:
            rated = [s for s in rated if s.department_id == own]
    department = form.cleaned_data.get("department")
    cases = None
    if department is not None and district is not None:
        cases = paginate(request, _cases(user, district, department, start, end))
    context.update(
        district=district,
        start=start,
        end=end,
        year=form.cleaned_data.get("year") or (start.year if start.year == end.year else None),
        query=query,
        is_city=roles.sees_all_districts(user),
        on_time_chart=on_time_chart(timely, page_url, query),
        on_time_total=on_time_total(timely),
        satisfaction_chart=satisfaction_chart(rated, reverse("ratings:list")),
        satisfaction_total=satisfaction_total(rated),
        department=department,
        cases=cases,
        own_department=own is not None,  # the totals are the department's, not the district's
    )
    year = context["year"]
    charts.name_pngs(
        [context["on_time_chart"], context["satisfaction_chart"]],
        getattr(district, "name", ""),
        _("Year %(year)s") % {"year": year}
        if year and (start, end) == (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        else _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()},
    )
    context["on_time_total_text"] = percent_text(context["on_time_total"].rate)
    context["satisfaction_total_text"] = percent_text(context["satisfaction_total"].rate)
    return render(request, "reports/rankings.html", context)


def _tabs(user) -> dict:
    """What the assessment's tabs need (``assessment/_tabs.html``)."""
    return {
        "tab_sees_all": permissions.sees_every_department(user),
        "tab_keeper": bool(user.district_id)
        and permissions.can_keep_ledger(user, user.district_id),
        "tab_own_department": permissions.own_department_id(user),
        "tab_year": clock.today().year,
    }


def _years() -> list[int]:
    this = clock.today().year
    return list(range(this, this - 5, -1))
