"""Assessment pages (SPEC §12, the work plan's 年终考核 and 目标绩效考核): the rankings of a
year with their Excel export, a department's ledger with every entry's evidence and the
objections, the supervision office's hand entries, its objections queue and the year's
settings.

Every change goes through ``assessment.scoring``; a record outside the user's scope is a 404;
a user who may see the ledger but not change it gets 403 on the forms.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.assessment import permissions, scoring
from zhaoshang.assessment.forms import (
    AnswerForm,
    BaseScoreForm,
    DepartmentBaseForm,
    FinishForm,
    HandEntryForm,
    ObjectionForm,
)
from zhaoshang.assessment.models import (
    DepartmentBase,
    LedgerEntry,
    Objection,
    ObjectionStatus,
)
from zhaoshang.core import clock, roles
from zhaoshang.core.actions import run_service
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.services import require
from zhaoshang.org.models import Department, District

YEARS_SHOWN = 5


def _this_year() -> int:
    return clock.today().year


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= _this_year() + 1:
        return int(value)
    return _this_year()


def _render(request, template, context, status=200):
    """Render with what the tabs need: whose ledger the user reads, and whether they keep it."""
    user = request.user
    context.setdefault("tab_sees_all", permissions.sees_every_department(user))
    context.setdefault(
        "tab_keeper",
        bool(user.district_id) and permissions.can_keep_ledger(user, user.district_id),
    )
    context.setdefault("tab_own_department", permissions.own_department_id(user))
    context.setdefault("tab_year", context.get("year") or _this_year())
    return render(request, template, context, status=status)


def _reader(request) -> None:
    require(permissions.may_read_ledger(request.user))


def _district(request):
    """The district the page shows: the user's own; city users choose (``?district=``).
    Returns (district, the districts to choose from or None)."""
    user = request.user
    if roles.sees_all_districts(user):
        districts = list(District.objects.order_by("id"))
        wanted = request.GET.get("district", "")
        chosen = next((d for d in districts if str(d.pk) == wanted), None)
        return chosen or (districts[0] if districts else None), districts
    if not user.district_id:
        raise PermissionDenied
    return District.objects.get(pk=user.district_id), None


def _visible_departments(user):
    qs = Department.objects.all()
    if not roles.sees_all_districts(user):
        qs = qs.filter(district_id=user.district_id)
    if not permissions.sees_every_department(user):
        qs = qs.filter(pk=permissions.own_department_id(user))
    return qs


def _years() -> list[int]:
    this = _this_year()
    return list(range(this, this - YEARS_SHOWN, -1))


def _page_standings(request, district, year):
    settings = scoring.assessment_year(district, year)
    rows = scoring.standings(district, year, settings) if district else []
    if not permissions.sees_every_department(request.user):
        own = permissions.own_department_id(request.user)
        rows = [s for s in rows if s.department.pk == own]
    return settings, rows


@login_required
def rankings(request):
    """The year's rankings: rank, department, base, deductions, additions, score, entries."""
    _reader(request)
    district, districts = _district(request)
    year = _year(request)
    settings, rows = _page_standings(request, district, year)
    late = scoring.late_entries(district, year, settings).count() if settings else 0
    keeper = district is not None and permissions.can_keep_ledger(request.user, district.pk)
    pending = (
        Objection.objects.visible_to(request.user)
        .filter(district=district, year=year)
        .pending()
        .count()
        if permissions.sees_every_department(request.user)
        else 0
    )
    return _render(
        request,
        "assessment/rankings.html",
        {
            "district": district,
            "districts": districts,
            "year": year,
            "years": _years(),
            "settings": settings,
            "rows": rows,
            "late_count": late,
            "pending_count": pending,
            "may_keep": keeper,
            "sees_all": permissions.sees_every_department(request.user),
            "query": _query(district, districts, year),
        },
    )


def _query(district, districts, year) -> str:
    query = f"year={year}"
    if districts is not None and district is not None:
        query += f"&district={district.pk}"
    return query


@login_required
def rankings_export(request):
    _reader(request)
    district, _districts = _district(request)
    year = _year(request)
    _settings, rows = _page_standings(request, district, year)
    columns = [
        (_("Ranking"), lambda s: s.rank),
        (_("Department"), lambda s: s.department.name),
        (_("Base score"), lambda s: s.base),
        (_("Deductions"), lambda s: s.deductions),
        (_("Additions"), lambda s: s.additions),
        (_("Score"), lambda s: s.score),
        (_("Entries"), lambda s: s.entry_count),
    ]
    return xlsx_response(
        f"assessment-{year}",
        _("Assessment %(year)s") % {"year": year},
        columns,
        rows,
        name=pgettext("file name", "Department assessment %(year)s") % {"year": year},
    )


def _ledger_entries(qs):
    return qs.select_related(
        "rule", "created_by", "objection", "cancelled_objection"
    ).prefetch_related("evidence")


def _ledger_context(request, department, year, **extra):
    user = request.user
    settings = scoring.assessment_year(department.district_id, year)
    counted = _ledger_entries(
        scoring.counted_entries(department.district_id, year, settings).filter(
            department=department
        )
    ).order_by("-occurred_on", "-id")
    late = _ledger_entries(
        scoring.late_entries(department.district_id, year, settings).filter(department=department)
    ).order_by("-occurred_on", "-id")
    standing = next(
        (
            s
            for s in scoring.standings(department.district_id, year, settings)
            if s.department.pk == department.pk
        ),
        None,
    )
    is_open = settings is None or not settings.is_finished
    may_object = is_open and permissions.handles_department(user, department)
    entries = list(counted)
    forms = extra.pop("objection_forms", {})
    for entry in entries:
        entry.may_object = (
            may_object
            and entry.points < 0
            and not hasattr(entry, "objection")
            and not hasattr(entry, "cancelled_objection")
        )
        entry.objection_form = forms.get(entry.pk) or (
            ObjectionForm() if entry.may_object else None
        )
    return {
        "department": department,
        "year": year,
        "years": _years(),
        "settings": settings,
        "standing": standing,
        "entries": entries,
        "late_entries": list(late),
        "may_keep": permissions.can_keep_ledger(user, department.district_id) and is_open,
        "show_district": roles.sees_all_districts(user),
        **extra,
    }


@login_required
def ledger(request, pk):
    """A department's ledger for a year: every entry with its evidence and objection."""
    _reader(request)
    department = get_object_or_404(_visible_departments(request.user), pk=pk)
    year = _year(request)
    return _render(request, "assessment/ledger.html", _ledger_context(request, department, year))


def _visible_entry(request, pk) -> LedgerEntry:
    _reader(request)
    return get_object_or_404(
        LedgerEntry.objects.visible_to(request.user).select_related("department"), pk=pk
    )


@login_required
def entry_file(request, pk):
    entry = _visible_entry(request, pk)
    if not entry.evidence_file:
        raise Http404
    return FileResponse(
        entry.evidence_file.open("rb"), as_attachment=True, filename=entry.evidence_name
    )


@login_required
@require_POST
def entry_object(request, pk):
    """A department files an objection to one of its deductions."""
    entry = _visible_entry(request, pk)
    require(permissions.can_object(request.user, entry))
    form = ObjectionForm(request.POST, request.FILES)
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: scoring.file_objection(
                request.user, entry, form.cleaned_data["reason"], form.cleaned_data["file"]
            ),
            success=_("Your objection was filed; the supervision office answers it."),
        )
        if outcome.ok:
            return redirect(entry.get_absolute_url())
    context = _ledger_context(
        request, entry.department, entry.year, objection_forms={entry.pk: form}
    )
    for row in context["entries"]:
        if row.pk == entry.pk:
            row.objection_form = form
            row.may_object = True
    return _render(request, "assessment/ledger.html", context, status=400)


def _keeper_district(request) -> District:
    user = request.user
    if not user.district_id or not permissions.can_keep_ledger(user, user.district_id):
        raise PermissionDenied
    return District.objects.get(pk=user.district_id)


@login_required
def entry_create(request):
    """The supervision office's entry by hand, with reason and evidence."""
    district = _keeper_district(request)
    departments = Department.objects.filter(district=district).order_by("sort_order", "id")
    initial = {"year": _year(request), "occurred_on": clock.today()}
    if request.GET.get("department", "").isdigit():
        initial["department"] = request.GET["department"]
    corrected = None
    if request.GET.get("corrects", "").isdigit():
        corrected = (
            LedgerEntry.objects.filter(district=district, pk=request.GET["corrects"])
            .select_related("department")
            .first()
        )
        if corrected is not None:
            initial.update(
                corrects=corrected.pk,
                department=corrected.department_id,
                year=corrected.year,
                points=-corrected.points,
            )
    status = 200
    if request.method == "POST":
        form = HandEntryForm(request.POST, request.FILES, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            corrects = None
            if data["corrects"]:
                corrects = LedgerEntry.objects.filter(
                    district=district, pk=data["corrects"]
                ).first()
                if corrects is None:
                    form.add_error(
                        "corrects", _("Corrects: no entry with this number in the district.")
                    )
            if not form.errors:
                outcome = run_service(
                    request,
                    form,
                    lambda: scoring.add_hand_entry(
                        request.user,
                        department=data["department"],
                        year=data["year"],
                        points=data["points"] if data["points"] is not None else "",
                        reason=data["reason"],
                        evidence=data["evidence"],
                        occurred_on=data["occurred_on"],
                        corrects=corrects,
                    ),
                    success=_("The entry was written to the ledger."),
                )
                if outcome.ok:
                    entry = outcome.result
                    return redirect(entry.get_absolute_url())
        status = 400
    else:
        form = HandEntryForm(initial=initial, departments=departments)
    return _render(
        request,
        "assessment/entry_form.html",
        {"form": form, "corrected": corrected},
        status=status,
    )


# --- Objections -------------------------------------------------------------------------


def _objections_context(request, **extra):
    user = request.user
    require(permissions.sees_every_department(user))
    district, districts = _district(request)
    year = _year(request)
    status = request.GET.get("status", "")
    qs = (
        Objection.objects.visible_to(user)
        .filter(district=district, year=year)
        .select_related("entry", "department", "filed_by", "answered_by", "counter_entry")
        .order_by("-filed_at", "-id")
    )
    if status in ObjectionStatus.values:
        qs = qs.filter(status=status)
    keeper = district is not None and permissions.can_keep_ledger(user, district.pk)
    settings = scoring.assessment_year(district, year) if district else None
    is_open = settings is None or not settings.is_finished
    forms = extra.pop("answer_forms", {})
    rows = list(qs)
    for objection in rows:
        objection.answer_form = (
            forms.get(objection.pk) or AnswerForm(prefix=f"o{objection.pk}")
            if keeper and is_open and objection.is_pending
            else None
        )
    counts = (
        Objection.objects.visible_to(user)
        .filter(district=district, year=year)
        .aggregate(
            pending=Count("id", filter=Q(status=ObjectionStatus.PENDING)),
            total=Count("id"),
        )
    )
    return {
        "district": district,
        "districts": districts,
        "year": year,
        "years": _years(),
        "status": status,
        "statuses": ObjectionStatus.choices,
        "objections": rows,
        "counts": counts,
        "query": _query(district, districts, year),
        **extra,
    }


@login_required
def objections(request):
    """The objections of a year, for the supervision office to answer."""
    _reader(request)
    return _render(request, "assessment/objections.html", _objections_context(request))


def _visible_objection(request, pk) -> Objection:
    _reader(request)
    return get_object_or_404(Objection.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def objection_answer(request, pk):
    objection = _visible_objection(request, pk)
    require(permissions.can_keep_ledger(request.user, objection.district_id))
    form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: scoring.answer_objection(
                request.user,
                objection,
                upheld=form.cleaned_data["decision"] == "upheld",
                answer=form.cleaned_data["answer"],
            ),
            success=_("The objection was answered."),
        )
        if outcome.ok:
            return redirect(
                reverse("assessment:objections")
                + f"?year={objection.year}#objection-{objection.pk}"
            )
    request.GET = request.GET.copy()
    request.GET["year"] = str(objection.year)
    context = _objections_context(request, answer_forms={objection.pk: form})
    return _render(request, "assessment/objections.html", context, status=400)


@login_required
def objection_file(request, pk):
    objection = _visible_objection(request, pk)
    if not objection.file:
        raise Http404
    return FileResponse(objection.file.open("rb"), as_attachment=True, filename=objection.file_name)


# --- The year's settings ----------------------------------------------------------------


def _year_context(request, district, year, **extra):
    settings = scoring.assessment_year(district, year)
    departments = Department.objects.filter(district=district).order_by("sort_order", "id")
    bases = (
        DepartmentBase.objects.filter(assessment_year=settings).select_related("department")
        if settings
        else DepartmentBase.objects.none()
    )
    pending = Objection.objects.filter(district=district, year=year).pending().count()
    is_open = settings is None or not settings.is_finished
    return {
        "year": year,
        "years": _years(),
        "settings": settings,
        "base_score": settings.base_score if settings else scoring.DEFAULT_BASE_SCORE,
        "bases": list(bases),
        "pending_count": pending,
        "is_open": is_open,
        "may_finish": is_open and year < _this_year(),
        "base_form": extra.pop("base_form", None)
        or BaseScoreForm(
            initial={"base_score": settings.base_score if settings else scoring.DEFAULT_BASE_SCORE}
        ),
        "department_form": extra.pop("department_form", None)
        or DepartmentBaseForm(departments=departments),
        "finish_form": extra.pop("finish_form", None) or FinishForm(),
        **extra,
    }


def _url_year(year: int) -> int:
    if not 2000 <= year <= _this_year() + 1:
        raise Http404
    return year


@login_required
def year_settings(request, year):
    """The year's base score, the departments' own base scores, finishing the year."""
    district = _keeper_district(request)
    year = _url_year(year)
    status = 200
    base_form = None
    if request.method == "POST":
        base_form = BaseScoreForm(request.POST)
        if base_form.is_valid():
            outcome = run_service(
                request,
                base_form,
                lambda: scoring.set_base_score(
                    request.user, district, year, base_form.cleaned_data["base_score"]
                ),
                success=_("The base score was saved."),
            )
            if outcome.ok:
                return redirect("assessment:year", year=year)
        status = 400
    context = _year_context(request, district, year, base_form=base_form)
    return _render(request, "assessment/year.html", context, status=status)


@login_required
@require_POST
def year_department_base(request, year):
    district = _keeper_district(request)
    year = _url_year(year)
    departments = Department.objects.filter(district=district)
    form = DepartmentBaseForm(request.POST, departments=departments)
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: scoring.set_department_base(
                request.user,
                district,
                year,
                form.cleaned_data["department"],
                form.cleaned_data["base_score"],
            ),
            success=_("The department's base score was saved."),
        )
        if outcome.ok:
            return redirect("assessment:year", year=year)
    context = _year_context(request, district, year, department_form=form)
    return _render(request, "assessment/year.html", context, status=400)


@login_required
@require_POST
def year_finish(request, year):
    district = _keeper_district(request)
    year = _url_year(year)
    form = FinishForm(request.POST)
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: scoring.finish_year(request.user, district, year),
            success=_("The assessment of %(year)s is finished.") % {"year": year},
        )
        if outcome.ok:
            return redirect(reverse("assessment:rankings") + f"?year={year}")
    context = _year_context(request, district, year, finish_form=form)
    return _render(request, "assessment/year.html", context, status=400)
