"""Enterprise pages: list, detail, create and edit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from zhaoshang.complaints.models import Complaint
from zhaoshang.core import clock
from zhaoshang.core.actions import form_post
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.history import history_rows
from zhaoshang.core.roles import can_edit_registry
from zhaoshang.core.views_helpers import import_page, import_report, import_template, paginate
from zhaoshang.enterprises import services
from zhaoshang.enterprises.forms import EnterpriseFilterForm, EnterpriseForm
from zhaoshang.enterprises.imports import EnterpriseImporter
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.projects.models import Project

# How many complaints and inspections the enterprise page lists (the newest first).
HISTORY_ROWS = 10


def filtered_enterprises(request):
    form = EnterpriseFilterForm(request.GET or None)
    qs = Enterprise.objects.visible_to(request.user).annotate(
        project_count=Count("projects", distinct=True),
        investment=Sum("projects__total_investment"),
    )
    if form.is_valid():
        q = form.cleaned_data.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
        if form.cleaned_data.get("origin"):
            qs = qs.filter(origin=form.cleaned_data["origin"])
    return form, qs.order_by("name", "id")


@login_required
def enterprise_list(request):
    form, qs = filtered_enterprises(request)
    page = paginate(request, qs)
    return render(
        request,
        "enterprises/list.html",
        {
            "form": form,
            "page": page,
            "can_create": can_edit_registry(request.user, request.user.district_id),
        },
    )


@login_required
def enterprise_export(request):
    _form, qs = filtered_enterprises(request)
    columns = [
        (_("Name"), lambda e: e.name),
        (_("Credit code"), lambda e: e.credit_code),
        (_("Legal representative"), lambda e: e.legal_representative),
        (_("Registered capital (10k yuan)"), lambda e: e.registered_capital),
        (_("Origin"), lambda e: e.get_origin_display()),
        (_("Contact person"), lambda e: e.contact_name),
        (_("Contact phone"), lambda e: e.contact_phone),
        (_("Projects"), lambda e: e.project_count),
        (_("Total investment (10k yuan)"), lambda e: e.investment),
    ]
    return xlsx_response("enterprises", _("Enterprises"), columns, qs.iterator(chunk_size=500))


@login_required
def enterprise_detail(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    projects = (
        Project.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .with_list_data()
        .order_by("-id")
    )
    accounts = enterprise.accounts.filter(is_active=True).order_by("id")
    rows = history_rows(enterprise.history.all(), Enterprise, subject=_("Enterprise"))
    complaints = (
        Complaint.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .with_days_left(clock.today())
        .select_related("department")
        .order_by("-received_on", "-id")
    )
    visits = (
        InspectionVisit.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("request__department", "joint")
        .order_by("-visit_on", "-id")
    )
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "projects": projects,
            "accounts": accounts,
            "rows": rows,
            "complaints": complaints[:HISTORY_ROWS],
            "complaint_count": complaints.count(),
            "visits": visits[:HISTORY_ROWS],
            "visit_count": visits.count(),
            "can_edit": can_edit_registry(request.user, enterprise.district_id),
        },
    )


def _form_page(request, form, enterprise=None, status=200, stale=""):
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "enterprise": enterprise, "stale": stale},
        status=status,
    )


def _form_data(data) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


@login_required
def enterprise_create(request):
    user = request.user
    if not can_edit_registry(user, user.district_id):
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, EnterpriseForm())
    return form_post(
        request,
        EnterpriseForm(request.POST),
        lambda data: services.create_enterprise(user, user.district, _form_data(data)),
        render_page=lambda form, status, stale: _form_page(request, form, status=status),
        redirect_to=lambda enterprise: enterprise.get_absolute_url(),
        success=_("The enterprise has been registered."),
    )


@login_required
def enterprise_edit(request, pk):
    """Edit an enterprise; someone else's save first is 409 (the input is kept and the page
    says what happened)."""
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    if not can_edit_registry(request.user, enterprise.district_id):
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, EnterpriseForm(instance=enterprise), enterprise)
    return form_post(
        request,
        EnterpriseForm(request.POST, instance=Enterprise.objects.get(pk=enterprise.pk)),
        lambda data: services.update_enterprise(
            request.user,
            enterprise,
            _form_data(data),
            expected_version=data.get("version") or enterprise.version,
        ),
        render_page=lambda form, status, stale: _form_page(
            request, form, enterprise, status=status, stale=stale
        ),
        redirect_to=enterprise.get_absolute_url(),
        success=_("The enterprise has been saved."),
    )


# --- Excel import (SPEC §16) -----------------------------------------------------------------


@login_required
def enterprise_import(request):
    return import_page(
        request,
        EnterpriseImporter,
        namespace="enterprises",
        title=_("Import enterprises"),
        list_title=_("Enterprises"),
    )


@login_required
def enterprise_import_template(request):
    return import_template(request, EnterpriseImporter)


@login_required
def enterprise_import_report(request):
    return import_report(request, EnterpriseImporter, namespace="enterprises")
