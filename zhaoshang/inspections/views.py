"""Inspection pages (SPEC §9): the supervision office's approvals list (涉企检查审批) and a
department's own requests, filing a request, the request page with its visits, codes and
actions, the printable slip of a visit, and reporting an unapproved visit; plus the public
verification of a code (扫码入企), which needs no login.

Every change goes through ``inspections.services``; a request outside the user's scope is
a 404; codes are shown only to the filing department and the supervision office.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.actions import form_page, form_post, panel, record_action_view
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.views_helpers import paginate
from zhaoshang.inspections import permissions, services, verification
from zhaoshang.inspections.actions import REQUEST_ACTIONS, VISIT_ACTIONS
from zhaoshang.inspections.choices import RequestStatus, Verdict
from zhaoshang.inspections.forms import (
    FileForm,
    FilterForm,
    MergeForm,
    RateForm,
    ReportForm,
    merge_candidates,
)
from zhaoshang.inspections.models import InspectionRequest, InspectionVisit


def _queryset(request):
    return (
        InspectionRequest.objects.visible_to(request.user)
        .with_days_left(clock.today())
        .select_related("department", "district", "filed_by", "decided_by")
    )


def _filtered(request):
    form = FilterForm(request.GET or None, user=request.user)
    qs = _queryset(request).annotate(
        visit_count=Count("visits", distinct=True),
        done_count=Count("visits", filter=Q(visits__carried_out_on__isnull=False), distinct=True),
    )
    mine = False
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["department"]:
            qs = qs.filter(department=data["department"])
        mine = data["mine"]
    if mine or request.GET.get("mine") == "1":
        mine = True
        qs = qs.filter(department_id=request.user.department_id or 0)
    pending_first = Case(
        When(status=RequestStatus.FILED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    qs = qs.order_by(pending_first, "-planned_on", "-id").prefetch_related(
        Prefetch(
            "visits", queryset=InspectionVisit.objects.select_related("enterprise").order_by("id")
        )
    )
    return form, qs, mine


@login_required
def request_list(request):
    form, qs, mine = _filtered(request)
    district_id = request.user.district_id
    return render(
        request,
        "inspections/list.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "mine": mine,
            "show_district": roles.sees_all_districts(request.user),
            "can_file": district_id is not None and permissions.can_file(request.user, district_id),
            "can_report": district_id is not None
            and permissions.can_receive(request.user, district_id),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def request_export(request):
    _form, qs, _mine = _filtered(request)
    columns = [
        (_("Number"), lambda r: r.number),
        (_("Kind"), lambda r: r.get_kind_display()),
        (_("Filing department"), lambda r: r.department.name),
        (_("Enterprises"), lambda r: "、".join(v.enterprise.name for v in r.visits.all())),
        (_("Planned date"), lambda r: r.planned_on),
        (_("Emergency inspection"), lambda r: _("Yes") if r.is_emergency else ""),
        (_("Legal basis of the request"), lambda r: r.legal_basis),
        (_("Fee amount (yuan)"), lambda r: r.fee_amount),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Filed on"), lambda r: r.filed_on),
        (_("Decided on"), lambda r: r.decided_on),
        (_("Working days left"), lambda r: r.days_left),
        (_("Light"), lambda r: Light(r.light).label if r.due_on else ""),
        (_("Visits"), lambda r: r.visit_count),
        (_("Visits carried out"), lambda r: r.done_count),
    ]
    if roles.sees_all_districts(request.user):
        columns.insert(0, (_("District"), lambda r: str(r.district)))
    return xlsx_response(
        "inspection-requests",
        _("Inspection requests"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Inspection requests register"),
    )


@login_required
def request_create(request):
    user = request.user
    if not (user.district_id and permissions.can_file(user, user.district_id)):
        raise PermissionDenied
    form = FileForm(request.POST or None, user=user)
    return form_post(
        request,
        form,
        lambda data: services.file_request(user, district=user.district, **data),
        render_page=form_page(request, "inspections/form.html"),
        redirect_to=lambda inspection: inspection.get_absolute_url(),
        success=lambda inspection: (
            _("The request %(number)s has been filed for approval.") % {"number": inspection.number}
        ),
    )


def qr_svg(request, visit) -> str:
    import segno  # only the visit's own page draws a code (workers stay lean, issue 19)

    url = request.build_absolute_uri(reverse("verify:code", args=[visit.code]))
    return segno.make(url, error="m").svg_inline(scale=3, title=visit.code_display)


def _visits(inspection):
    return list(
        inspection.visits.select_related("enterprise", "joint__lead_department").prefetch_related(
            Prefetch(
                "joint__visits",
                queryset=InspectionVisit.objects.select_related("request__department").order_by(
                    "id"
                ),
            )
        )
    )


def _context(request, inspection, bound=None, bound_visit=None, stale: str = "") -> dict:
    user = request.user
    actions = panel(
        user,
        inspection,
        REQUEST_ACTIONS,
        lambda action: f"{inspection.get_absolute_url()}{action.slug}/",
        bound=bound if bound_visit is None else None,
        record_kwarg="record",
    )
    visits = _visits(inspection)
    show_codes = permissions.can_see_codes(user, inspection)
    candidates = None
    rows = []
    for visit in visits:
        visit_actions = []
        for action in VISIT_ACTIONS:
            if not (action.applies(visit) and action.allowed(user, visit)):
                continue
            if bound is not None and bound_visit == visit.pk and bound.action == action.slug:
                form = bound
            else:
                extra = {}
                if action.form is MergeForm:
                    if candidates is None:
                        candidates = merge_candidates(visits)
                    extra["candidates"] = candidates.get(visit.pk, [])
                form = action.form(record=visit, auto_id=f"id_{action.slug}_{visit.pk}_%s", **extra)
                form.action = action.slug
            url = reverse(f"inspections:{action.slug}", args=[inspection.pk, visit.pk])
            visit_actions.append((action, form, url))
        partners = []
        if visit.joint_id:
            partners = [
                p
                for p in visit.joint.visits.all()
                if p.pk != visit.pk and p.request.status == RequestStatus.APPROVED
            ]
        rows.append(
            {
                "visit": visit,
                "actions": visit_actions,
                "partners": partners,
                "qr": qr_svg(request, visit) if show_codes and visit.code else "",
            }
        )
    events = list(
        DomainEvent.objects.for_object(inspection)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    return {
        "inspection": inspection,
        "rows": rows,
        "show_codes": show_codes,
        "events": events,
        "actions": actions,
        "stale": stale,
    }


@login_required
def request_detail(request, pk):
    inspection = get_object_or_404(_queryset(request), pk=pk)
    return render(request, "inspections/detail.html", _context(request, inspection))


def _render_detail(request, inspection, status=200, **extra):
    context = _context(request, inspection, **extra)
    return render(request, "inspections/detail.html", context, status=status)


@login_required
@require_POST
def request_action(request, pk, action):
    return record_action_view(
        request,
        _queryset(request),
        pk,
        REQUEST_ACTIONS[action],
        template="inspections/detail.html",
        context=_context,
    )


def _visit_of(request, pk, visit_pk):
    inspection = get_object_or_404(_queryset(request), pk=pk)
    visit = get_object_or_404(inspection.visits.select_related("enterprise", "joint"), pk=visit_pk)
    return inspection, visit


@login_required
@require_POST
def visit_action(request, pk, visit_pk, action):
    """The POST of one action on a visit; the page drawn again is the request's."""
    inspection, visit = _visit_of(request, pk, visit_pk)
    spec = VISIT_ACTIONS[action]
    if not spec.allowed(request.user, visit):
        raise PermissionDenied
    form = spec.form(request.POST, record=visit, auto_id=f"id_{spec.slug}_{visit.pk}_%s")
    form.action = spec.slug

    def render_page(form, status, stale):
        if status == 409:
            fresh = get_object_or_404(_queryset(request), pk=pk)
            return _render_detail(request, fresh, stale=stale, status=409)
        return _render_detail(request, inspection, bound=form, bound_visit=visit.pk, status=status)

    return form_post(
        request,
        form,
        lambda data: spec.run(
            request.user,
            visit,
            {k: v for k, v in data.items() if k != "version"},
            data.get("version"),
        ),
        render_page=render_page,
        redirect_to=inspection.get_absolute_url(),
        success=spec.done,
    )


@login_required
def visit_slip(request, pk, visit_pk):
    """The printable slip the inspectors carry: the code, its QR and what it covers."""
    inspection, visit = _visit_of(request, pk, visit_pk)
    if not permissions.can_see_codes(request.user, inspection):
        raise PermissionDenied
    if not visit.code:
        raise Http404
    return render(
        request,
        "inspections/slip.html",
        {
            "inspection": inspection,
            "visit": visit,
            "qr": qr_svg(request, visit),
            "verify_url": request.build_absolute_uri(reverse("verify:code", args=[visit.code])),
        },
    )


@login_required
def report_create(request):
    """Staff record, on an enterprise's behalf, a visit or fee with no valid code."""
    user = request.user
    if not (user.district_id and permissions.can_receive(user, user.district_id)):
        raise PermissionDenied
    initial = {"code_shown": request.GET.get("code", "")[:40], "channel": "visit"}
    form = ReportForm(request.POST or None, initial=initial, district_id=user.district_id)
    return form_post(
        request,
        form,
        lambda data: services.report_unapproved_visit(user, district=user.district, **data),
        render_page=form_page(request, "inspections/report.html"),
        redirect_to=lambda complaint: complaint.get_absolute_url(),
        success=lambda complaint: (
            _("The report has been received as complaint %(number)s.")
            % {"number": complaint.number}
        ),
    )


# --- public verification (扫码入企) --------------------------------------------------------


def _throttled(request):
    response = render(request, "inspections/verify_throttled.html", status=429)
    response["Retry-After"] = str(verification._limit()[1])
    return response


def verify_form(request):
    """Type the code shown by the inspectors."""
    code = request.GET.get("code", "")
    if code.strip():
        normalized = verification.normalize_code(code)
        if normalized:
            return redirect("verify:code", code=normalized[:40])
    return render(request, "inspections/verify_form.html", {})


def verify_code(request, code):
    """What the enterprise needs to know about a code, and nothing else."""
    address = verification.client_address(request)
    if verification.is_blocked(address):
        return _throttled(request)
    result = verification.lookup(code)
    if result.verdict == Verdict.UNKNOWN:
        verification.record_failure(address)
    user = request.user
    rate_form = None
    visit = result.visit
    if (
        visit is not None
        and result.verdict != Verdict.UNKNOWN
        and user.is_authenticated
        and permissions.is_enterprise_of(user, visit)
        and visit.carried_out_on is not None
        and not visit.rating
    ):
        rate_form = RateForm(record=visit, auto_id="id_rate_%s")
    return render(
        request,
        "inspections/verify_result.html",
        {
            "result": result,
            "code": verification.normalize_code(code),
            "rate_form": rate_form,
            "is_enterprise_user": user.is_authenticated and roles.is_enterprise(user),
        },
        status=404 if result.verdict == Verdict.UNKNOWN else 200,
    )


@login_required
@require_POST
def verify_rate(request, code):
    """The enterprise's own portal user rates a visit that took place, once."""
    address = verification.client_address(request)
    if verification.is_blocked(address):
        return _throttled(request)
    result = verification.lookup(code)
    if result.verdict == Verdict.UNKNOWN:
        verification.record_failure(address)
        raise Http404
    visit = result.visit
    if not permissions.is_enterprise_of(request.user, visit):
        raise PermissionDenied

    def render_page(form, status, stale):
        # A stale version: someone rated or changed the visit meanwhile; the page says so.
        if stale:
            form.add_error(None, stale)
        context = {
            "result": result,
            "code": visit.code,
            "rate_form": form,
            "is_enterprise_user": True,
        }
        return render(request, "inspections/verify_result.html", context, status=status)

    return form_post(
        request,
        RateForm(request.POST, record=visit, auto_id="id_rate_%s"),
        lambda data: services.rate_visit(
            request.user,
            visit,
            rating=data["rating"],
            comment=data.get("comment", ""),
            expected_version=data.get("version"),
        ),
        render_page=render_page,
        redirect_to=reverse("verify:code", args=[visit.code]),
        success=_("Thank you: your rating has been recorded."),
    )
