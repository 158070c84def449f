"""Complaint pages (SPEC §9): the supervision office's complaint desk (投诉台) with its
lights and filters (a department lands on the complaints against it), its Excel export and
print view, receiving a complaint, and the complaint page with its record, actions and attachments.

Every change goes through ``complaints.services``; a complaint outside the user's scope is
a 404; the complainant's contact is shown only where ``Complaint.contact_for`` allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.complaints import permissions, services
from zhaoshang.complaints.actions import ACTIONS
from zhaoshang.complaints.forms import AttachForm, DeskFilterForm, ReceiveForm
from zhaoshang.complaints.models import Complaint, ComplaintAttachment
from zhaoshang.core import clock, roles
from zhaoshang.core.actions import panel, record_action_view, run_service
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.printing import print_page
from zhaoshang.core.views_helpers import paginate


def _queryset(request):
    return (
        Complaint.objects.visible_to(request.user)
        .with_days_left(clock.today())
        .select_related(
            "enterprise",
            "project",
            "department",
            "district",
            "received_by",
            "found_by",
            "extension__requested_by",
            "extension__decided_by",
        )
    )


def _may_receive(request) -> bool:
    district_id = request.user.district_id
    return district_id is not None and permissions.can_receive(request.user, district_id)


def filtered_complaints(request):
    """The complaints the desk shows, filtered as the query string says and ordered by
    working days left (computed in SQL); shared by the desk and its export."""
    user = request.user
    form = DeskFilterForm(request.GET or None, user=user)
    qs = _queryset(request)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("light"):
            qs = qs.filter(light=data["light"])
        if data.get("mine"):
            qs = qs.filter(department_id=user.department_id)
    qs = qs.order_by(F("days_left").asc(nulls_last=True), "-received_on", "-id")
    return form, qs


@login_required
def complaint_list(request):
    form, qs = filtered_complaints(request)
    mine = bool(form.is_valid() and form.cleaned_data.get("mine"))
    return render(
        request,
        "complaints/list.html",
        {
            "form": form,
            "mine": mine,
            "page": paginate(request, qs),
            "show_district": roles.sees_all_districts(request.user),
            "can_receive": _may_receive(request),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def complaint_print(request):
    """The desk as filtered, every row, on A4 landscape (台账)."""
    form, qs = filtered_complaints(request)
    mine = bool(form.is_valid() and form.cleaned_data.get("mine"))
    return print_page(
        request,
        "complaints/list_print.html",
        title=(
            pgettext("print title", "Register of complaints against us")
            if mine
            else pgettext("print title", "Complaints register")
        ),
        rows=qs,
        form=form,
        back_url=reverse("complaints:list"),
    )


@login_required
def complaint_export(request):
    """The desk as filtered, as an Excel file; the contact columns are blank where the
    user may not see the complainant's contact."""
    _form, qs = filtered_complaints(request)
    user = request.user

    def contact(c, key):
        return c.contact_for(user)[key]

    columns = [
        (_("Number"), lambda c: c.number),
        (_("Received on"), lambda c: c.received_on),
        (_("Enterprise"), lambda c: c.enterprise.name),
        (_("Project"), lambda c: c.project.name if c.project_id else ""),
        (_("Channel"), lambda c: c.get_channel_display()),
        (_("Category"), lambda c: c.get_category_display()),
        (
            _("Inspection or fee without approval"),
            lambda c: _("Yes") if c.reports_unapproved_visit else "",
        ),
        (_("Department complained about"), lambda c: c.department.name),
        (_("Complaint"), lambda c: c.text),
        (_("Contact person"), lambda c: contact(c, "name")),
        (_("Contact phone"), lambda c: contact(c, "phone")),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Dispatched on"), lambda c: c.dispatched_on),
        (_("Accept by"), lambda c: c.accept_by),
        (_("Answer by"), lambda c: c.answer_by),
        (_("Verify by"), lambda c: c.verify_by),
        (_("Deadlines provisional"), lambda c: _("Yes") if c.dates_provisional else ""),
        (_("Working days left"), lambda c: c.days_left if c.is_timed else None),
        (_("Light"), lambda c: Light(c.light).label if c.is_timed else ""),
        (
            _("Extension"),
            lambda c: _extension_text(c.extension_or_none),
        ),
        (_("Department answered on"), lambda c: c.answered_on),
        (_("Department's view"), lambda c: c.get_department_view_display()),
        (_("Department's account"), lambda c: c.account),
        (_("Finding"), lambda c: c.get_outcome_display()),
        (_("Reasoning of the finding"), lambda c: c.finding_reason),
        (_("Department's view overruled"), lambda c: _("Yes") if c.overruled else ""),
        (_("Reason for overruling"), lambda c: c.overrule_reason),
        (_("Finding recorded on"), lambda c: c.found_on),
        (_("Answer to the enterprise"), lambda c: c.answer),
        (_("Rating"), lambda c: c.get_rating_display()),
        (_("Reopened"), lambda c: _("Yes") if c.reopened else ""),
    ]
    if roles.sees_all_districts(user):
        columns.insert(0, (_("District"), lambda c: str(c.district)))
    return xlsx_response(
        "complaints",
        _("Complaints"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Complaints register"),
    )


def _extension_text(extension) -> str:
    if extension is None:
        return ""
    if extension.is_pending:
        return _("Requested")
    if extension.approved:
        return _("Approved: answer by %(date)s") % {"date": extension.new_answer_by.isoformat()}
    return _("Rejected")


@login_required
def complaint_create(request):
    if not _may_receive(request):
        raise PermissionDenied
    district = request.user.district
    form = ReceiveForm(request.POST or None, request.FILES or None, district_id=district.pk)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: services.receive_complaint(
                request.user, district=district, **form.cleaned_data
            ),
        )
        if outcome.ok:
            complaint = outcome.result
            messages.success(
                request,
                _("The complaint %(number)s has been received.") % {"number": complaint.number},
            )
            return redirect(complaint)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/form.html", {"form": form}, status=status)


def _context(request, complaint, bound=None, stale: str = "", attach_form=None) -> dict:
    user = request.user
    actions = panel(
        user,
        complaint,
        ACTIONS,
        lambda action: f"{complaint.get_absolute_url()}{action.slug}/",
        bound=bound,
        record_kwarg="record",
    )
    events = list(
        DomainEvent.objects.for_object(complaint)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    attachments = list(complaint.attachments.select_related("uploaded_by"))
    if attach_form is None and permissions.can_attach(user, complaint):
        attach_form = AttachForm(auto_id="id_attach_%s")
    extension = complaint.extension_or_none
    return {
        "complaint": complaint,
        "attachments": attachments,
        "attach_form": attach_form,
        "extension": extension,
        "contact": complaint.contact_for(user),
        "contact_hidden": not permissions.can_see_contact(user, complaint),
        "events": events,
        "actions": actions,
        "action_notes": {
            "answer": _(
                "State the facts. The supervision office verifies them and records the "
                "finding; only its finding reaches the assessment ledger."
            ),
            "verify": _(
                "The department's view: %(view)s. A different finding overrules it; give the "
                "reason. Substantiated or partly substantiated writes one entry to the "
                "department's assessment ledger, dated today."
            )
            % {"view": complaint.get_department_view_display() or "—"},
        },
        "stale": stale,
    }


@login_required
def complaint_detail(request, pk):
    complaint = get_object_or_404(_queryset(request), pk=pk)
    return render(request, "complaints/detail.html", _context(request, complaint))


@login_required
@require_POST
def complaint_action(request, pk, action):
    return record_action_view(
        request,
        _queryset(request),
        pk,
        ACTIONS[action],
        template="complaints/detail.html",
        context=_context,
    )


@login_required
@require_POST
def complaint_attach(request, pk):
    complaint = get_object_or_404(_queryset(request), pk=pk)
    if not permissions.can_attach(request.user, complaint):
        raise PermissionDenied
    form = AttachForm(request.POST, request.FILES, auto_id="id_attach_%s")
    if form.is_valid():
        outcome = run_service(
            request,
            form,
            lambda: services.add_attachment(
                request.user, complaint, file=form.cleaned_data["file"]
            ),
            success=_("The file has been attached."),
        )
        if outcome.ok:
            return redirect("complaints:detail", pk=complaint.pk)
    return render(
        request,
        "complaints/detail.html",
        _context(request, complaint, attach_form=form),
        status=400,
    )


@login_required
def complaint_attachment(request, pk, attachment_pk):
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(ComplaintAttachment, pk=attachment_pk, complaint=complaint)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)
