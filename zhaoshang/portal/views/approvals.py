"""My approvals (我的审批): every approval case of the enterprise's projects — where it is,
who holds it, its days, pauses, return, extension, its result once done (办结) — the
forecast of the remaining critical path, and the enterprise's rating of a done case.

Rows are the enterprise's own (``project__enterprise_id``): another enterprise's case is a
404. Days, due dates and the forecast come from the approvals app's own services."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import F, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import OPEN_STATUSES, CaseStatus, LimitUnit
from zhaoshang.approvals.models import ApprovalCase, CasePause
from zhaoshang.approvals.views import days_left_text as staff_days_left_text
from zhaoshang.core import clock
from zhaoshang.core.actions import form_post
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import every_option
from zhaoshang.portal.access import own_projects, portal_view
from zhaoshang.ratings.choices import Score, SubjectKind
from zhaoshang.ratings.models import Rating

STATUS_FILTERS = {
    "open": (gettext_lazy("Open"), OPEN_STATUSES),
    "done": (gettext_lazy("Done"), (CaseStatus.DONE,)),
}


def enterprise_cases(user, today: datetime.date | None = None):
    """The enterprise's cases with what every list and page shows of them, read with the
    case: days left (SQL), the people and places named, the rating's score."""
    rating = Rating.objects.filter(subject_kind=SubjectKind.CASE, subject_id=OuterRef("pk"))
    return (
        ApprovalCase.objects.filter(project__enterprise_id=user.enterprise_id)
        .with_days_left(today or clock.today())
        .select_related("project", "item", "department", "handler", "agent")
        .annotate(rating_score=Subquery(rating.values("score")[:1]))
    )


def days_left_text(case, today: datetime.date) -> str:
    """剩余 N 天 / 超期 N 天 for a limit in natural days (``services.remaining``); else the
    staff worklist's wording in working days (``approvals.views.days_left_text``)."""
    left = services.remaining(case, today)
    if left.unit != LimitUnit.NATURAL_DAY or left.days is None:
        return staff_days_left_text(case)
    n = abs(left.days)
    if left.days == 0:
        return _("Due today")
    if left.days < 0:
        return ngettext("%(n)s day overdue", "%(n)s days overdue", n) % {"n": n}
    return ngettext("%(n)s day left", "%(n)s days left", n) % {"n": n}


def _decorate(case, today: datetime.date):
    left = services.remaining(case, today)
    case.days_text = days_left_text(case, today)
    case.overdue = left.days is not None and left.days < 0
    case.green_channel = case.project.is_green_channel
    return case


def forecast_for(project, today: datetime.date) -> dict | None:
    """The forecast of the project's approvals (``services.forecast``): the day all can be
    done, the case holding them up, and the critical path still to run."""
    result = services.forecast(project, today)
    if result.all_done_by is None:
        return None
    return {
        "project": project,
        "all_done_by": result.all_done_by,
        "holding": result.holding_case,
        "path": [
            (c, result.finish.get(c.pk))
            for c in result.critical_path
            if c.status != CaseStatus.DONE
        ],
        "open": any(c.status != CaseStatus.DONE for c in result.critical_path),
        "finish": result.finish,
    }


class CaseFilterForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"), queryset=None, required=False, widget=every_option()
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All"))] + [(k, v[0]) for k, v in STATUS_FILTERS.items()],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = own_projects(user).order_by("-id")
        self.fields["project"].empty_label = _("All projects")


@portal_view
def approvals(request):
    """My approvals: the enterprise's cases, open ones first, by due date."""
    today = clock.today()
    form = CaseFilterForm(request.GET or None, user=request.user)
    cases = enterprise_cases(request.user, today)
    project = None
    if form.is_valid():
        project = form.cleaned_data.get("project")
        if project is not None:
            cases = cases.filter(project=project)
        chosen = form.cleaned_data.get("status")
        if chosen:
            cases = cases.filter(status__in=STATUS_FILTERS[chosen][1])
    rows = [_decorate(c, today) for c in cases.order_by(F("due_on").asc(nulls_last=True), "id")]
    rows.sort(key=lambda c: not c.is_open)  # open cases first, each part by its due date
    projects = {c.project_id: c.project for c in rows}
    # The forecast reads the project's cases; it is drawn for one project at a time.
    if project is None and len(projects) == 1:
        project = next(iter(projects.values()))
    forecast = forecast_for(project, today) if project is not None else None
    return render(
        request,
        "portal/approvals/list.html",
        {
            "form": form,
            "cases": rows,
            "forecast": forecast,
            "several_projects": len(projects) > 1,
            "open_count": sum(1 for c in rows if c.is_open),
        },
    )


class RateForm(BootstrapMixin, forms.Form):
    """满意 / 基本满意 / 不满意, a reason when not satisfied (checked by the service, with
    every other problem of the rating)."""

    score = forms.ChoiceField(
        label=gettext_lazy("Your rating"),
        choices=Score.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when you are not satisfied."),
    )

    def clean_score(self):  # an unknown value is the service's to name, with the rest
        return self.data.get("score", "")


def _own_case(request, pk):
    return get_object_or_404(enterprise_cases(request.user), pk=pk)


def _case_page(request, case, rate_form=None, status=200):
    today = clock.today()
    _decorate(case, today)
    pauses = list(CasePause.objects.filter(case=case).order_by("started_on", "id"))
    rating = services.case_rating(case) if case.rating_score else None
    forecast = forecast_for(case.project, today) if case.is_open else None
    finish = forecast["finish"].get(case.pk) if forecast is not None else None
    rateable = case.status == CaseStatus.DONE and rating is None
    return render(
        request,
        "portal/approvals/case.html",
        {
            "case": case,
            "project": case.project,
            "pauses": pauses,
            "rating": rating,
            "rateable": rateable,
            "rate_form": rate_form or (RateForm() if rateable else None),
            "forecast": forecast,
            "finish": finish,
        },
        status=status,
    )


@portal_view
def case(request, pk):
    """One case: its facts, pauses, return or extension, its result, the forecast, and the
    enterprise's rating once it is done."""
    return _case_page(request, _own_case(request, pk))


@portal_view
@require_POST
def case_rate(request, pk):
    """The enterprise rates a done case, once (``services.rate_case``)."""
    record = _own_case(request, pk)
    form = RateForm(request.POST)
    return form_post(
        request,
        form,
        lambda data: services.rate_case(
            request.user, record, score=data["score"], reason=data["reason"]
        ),
        render_page=lambda form, status, stale: _case_page(
            request, _own_case(request, pk), rate_form=form, status=status
        ),
        redirect_to=reverse("portal:case", args=[record.pk]),
        success=_("Thank you: your rating has been recorded."),
    )


@portal_view
def case_certificate(request, pk):
    """The certificate issued with the case's result (办结), as the department attached it."""
    record = _own_case(request, pk)
    if record.status != CaseStatus.DONE or not record.certificate:
        raise Http404
    try:
        handle = record.certificate.open("rb")
    except FileNotFoundError:  # the row names a file the storage no longer has
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=record.certificate_name)
