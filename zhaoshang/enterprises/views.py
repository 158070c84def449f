"""Enterprise pages: list, detail, create and edit."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from zhaoshang.complaints.models import Complaint
from zhaoshang.core import clock
from zhaoshang.core.actions import button_post, form_page, form_post
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.history import history_rows
from zhaoshang.core.roles import can_edit_registry
from zhaoshang.core.views_helpers import (
    autocomplete_response,
    import_page,
    import_report,
    import_template,
    paginate,
)
from zhaoshang.core.widgets import district_arg, register_scope, scoped_queryset
from zhaoshang.enterprises import contacts, services
from zhaoshang.enterprises.forms import ContactInviteForm, EnterpriseFilterForm, EnterpriseForm
from zhaoshang.enterprises.imports import EnterpriseImporter
from zhaoshang.enterprises.models import ContactInvitation, Enterprise
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.projects.models import Project

# How many complaints and inspections the enterprise page lists (the newest first).
HISTORY_ROWS = 10
# The link of an invitation just made, shown once on the enterprise's page.
_NEW_INVITATION = "enterprise_new_invitation"


@register_scope("enterprises.enterprise", "district")
def district_enterprises(user, arg):
    """Every enterprise of a district (a project's enterprise, a complaint, an inspection),
    by name: offered to the district's government users."""
    district_id = district_arg(user, arg)
    if district_id is None:
        return None
    return Enterprise.objects.filter(district_id=district_id).order_by("name")


@login_required
@require_GET
def enterprise_autocomplete(request):
    """The enterprises' autocomplete (issue 19.3): at most 20 of the enterprises the user
    may see whose name or credit code contains ``q``, by name."""
    q = request.GET.get("q", "").strip()[:100]
    qs = scoped_queryset(
        request, "enterprises.enterprise", Enterprise.objects.visible_to(request.user)
    )
    if qs is None:
        return autocomplete_response(None, str)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    return autocomplete_response(qs.order_by("name", "pk"), str)


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
    return xlsx_response(
        "enterprises",
        _("Enterprises"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Enterprise register"),
    )


@login_required
def enterprise_detail(request, pk):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    projects = (
        Project.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .with_list_data()
        .order_by("-id")
    )
    accounts = enterprise.accounts.order_by("-is_active", "id")
    invitations = enterprise.invitations.filter(accepted_at__isnull=True).select_related(
        "invited_by"
    )[:HISTORY_ROWS]
    new_invitation = request.session.get(_NEW_INVITATION)
    if new_invitation and new_invitation.get("enterprise") == enterprise.pk:
        del request.session[_NEW_INVITATION]
    else:
        new_invitation = None
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
            "invitations": invitations,
            "new_invitation": new_invitation,
            "can_manage_contacts": contacts.may_manage_contacts(request.user, enterprise),
            "rows": rows,
            "complaints": complaints[:HISTORY_ROWS],
            "complaint_count": complaints.count(),
            "visits": visits[:HISTORY_ROWS],
            "visit_count": visits.count(),
            "can_edit": can_edit_registry(request.user, enterprise.district_id),
        },
    )


# --- contacts (portal accounts) -----------------------------------------------------------


def _managed_enterprise(request, pk) -> Enterprise:
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    if not contacts.may_manage_contacts(request.user, enterprise):
        raise PermissionDenied
    return enterprise


@login_required
def contact_invite(request, pk):
    """Invite a contact by mobile number or e-mail; the link is shown once on the
    enterprise's page (and e-mailed when there is an address)."""
    enterprise = _managed_enterprise(request, pk)

    def invite(data):
        invitation, link = contacts.invite_contact(
            request.user, enterprise, data, base_url=request.build_absolute_uri("/")
        )
        request.session[_NEW_INVITATION] = {
            "enterprise": enterprise.pk,
            "name": invitation.name,
            "mobile": invitation.mobile,
            "email": invitation.email,
            "link": link,
        }
        return invitation

    return form_post(
        request,
        ContactInviteForm(request.POST if request.method == "POST" else None),
        invite,
        render_page=form_page(request, "enterprises/contact_invite.html", enterprise=enterprise),
        redirect_to=enterprise.get_absolute_url() + "#contacts",
        success=_("The invitation has been made."),
    )


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    enterprise = _managed_enterprise(request, pk)
    invitation = get_object_or_404(
        ContactInvitation.objects.select_related("enterprise"),
        pk=invitation_pk,
        enterprise=enterprise,
    )
    return button_post(
        request,
        lambda: contacts.revoke_invitation(request.user, invitation),
        redirect_to=enterprise.get_absolute_url() + "#contacts",
        success=_("The invitation has been withdrawn; its link no longer opens."),
    )


@login_required
@require_POST
def contact_remove(request, pk, user_pk):
    enterprise = _managed_enterprise(request, pk)
    contact = get_object_or_404(get_user_model().objects, pk=user_pk, enterprise=enterprise)
    return button_post(
        request,
        lambda: contacts.remove_contact(request.user, enterprise, contact),
        redirect_to=enterprise.get_absolute_url() + "#contacts",
        success=lambda removed: (
            _("%(name)s has been removed: the account can no longer log in; its history is kept.")
            % {"name": removed.display_name}
        ),
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
