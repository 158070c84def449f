"""Receipts (回执单): filing, the page (read by the leader in charge), the PDF, the
correction, the leader's instruction (批示) and the leader's inbox."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock, roles
from zhaoshang.core.actions import form_page, form_post
from zhaoshang.core.exports import download_disposition
from zhaoshang.core.forms import apply_service_errors
from zhaoshang.core.history import history_rows
from zhaoshang.core.pdf import render_pdf
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.views import get_visible_project, project_context
from zhaoshang.service import permissions, services
from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.forms import (
    ActionItemFormSet,
    InboxFilterForm,
    InstructionForm,
    ReceiptCorrectionForm,
    ReceiptForm,
)
from zhaoshang.service.models import Receipt
from zhaoshang.service.views._common import action_items_prefetch
from zhaoshang.service.views.forwards import forwards_of, unread_first

# The printed receipt is the district's Chinese form (招商引资企业手续办理回执单), whatever
# the language of the screen: its wording is the form's, as the work plan names it.
PDF_RESULT_LABELS = {
    ReceiptResult.DONE: "办结",
    ReceiptResult.IN_PROGRESS: "在办",
    ReceiptResult.NEEDS_COORDINATION: "需协调",
}


def _refuse_not_team(request, project) -> HttpResponse:
    return render(
        request,
        "service/refused.html",
        {"project": project, "reason": services.not_team_message(project)},
        status=403,
    )


def _filed_message(receipt: Receipt):
    if receipt.addressee_id:
        return _("Receipt %(number)s is filed and sent to %(leader)s.") % {
            "number": receipt.number,
            "leader": receipt.addressee.display_name,
        }
    return (
        messages.WARNING,
        _(
            "Receipt %(number)s is filed, but the project has no project "
            "manager or designated leader to send it to."
        )
        % {"number": receipt.number},
    )


@login_required
def receipt_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_file_receipt(request.user, project):
        if roles.is_city(request.user):
            raise PermissionDenied
        return _refuse_not_team(request, project)

    return form_post(
        request,
        ReceiptForm(request.POST or None, project=project),
        lambda data: services.file_receipt(request.user, project, **data),
        render_page=form_page(
            request,
            "service/receipt_form.html",
            more=lambda: project_context(
                request, project, "service", leader=services.leader_in_charge(project)
            ),
        ),
        redirect_to=lambda receipt: reverse("service:receipt", args=[receipt.pk]),
        success=_filed_message,
    )


def _receipt_queryset(request):
    return Receipt.objects.visible_to(request.user).select_related(
        "project__enterprise",
        "project__district",
        "project__designated_leader",
        "department",
        "handler_user",
        "approval_case__item",
        "filed_by",
        "addressee",
        "district",
    )


def _receipt_context(request, receipt: Receipt, instruction_form=None, item_forms=None) -> dict:
    user = request.user
    instructions = list(
        receipt.instructions.select_related("leader").prefetch_related(action_items_prefetch())
    )
    can_instruct = permissions.can_instruct(user, receipt)
    context = {
        "receipt": receipt,
        "project": receipt.project,
        "instructions": instructions,
        "needs": list(receipt.needs.select_related("department")),
        "history": history_rows(receipt.history.all(), Receipt, subject=_("Receipt")),
        "can_instruct": can_instruct,
        "can_correct": permissions.can_correct_receipt(user, receipt),
        "can_raise": permissions.can_raise_need(user, receipt.project),
        "forwards": forwards_of(receipt),
        # permissions.can_forward on a receipt is can_instruct: not worked out twice
        "can_forward": can_instruct,
        "forward_url": reverse("service:forward_receipt", args=[receipt.pk]),
    }
    if can_instruct:
        context["instruction_form"] = instruction_form or InstructionForm(auto_id="id_ins_%s")
        context["item_forms"] = item_forms or ActionItemFormSet(
            prefix="items", form_kwargs={"district_id": receipt.district_id}
        )
    return context


@login_required
def receipt_detail(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if services.mark_receipt_read(request.user, receipt):
        receipt.refresh_from_db(fields=["read_at"])
    return render(request, "service/receipt.html", _receipt_context(request, receipt))


@login_required
def receipt_pdf(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    instructions = list(receipt.instructions.select_related("leader").order_by("written_on", "id"))
    team = {
        m.role: m.user
        for m in receipt.project.team_members.select_related("user").exclude(role="leading_group")
    }
    pdf = render_pdf(
        "service/receipt_pdf.html",
        {
            "receipt": receipt,
            "instructions": instructions,
            "team": team,
            "today": clock.today(),
            "result_label": PDF_RESULT_LABELS[receipt.result],
        },
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named like the form it prints (Chinese whatever the screen's language), ASCII fallback.
    response["Content-Disposition"] = download_disposition(
        f"回执单-{receipt.number}.pdf", f"{receipt.number}.pdf", inline=True
    )
    return response


@login_required
def receipt_correct(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if not permissions.can_correct_receipt(request.user, receipt):
        raise PermissionDenied
    project = receipt.project
    if request.method == "POST":
        form = ReceiptCorrectionForm(request.POST, project=project)
    else:
        initial = {name: getattr(receipt, name) for name in services.CORRECTABLE}
        initial["version"] = receipt.version
        form = ReceiptCorrectionForm(initial=initial, project=project)

    def correct(data):
        data = dict(data)
        reason = data.pop("correction_reason")
        version = data.pop("version")
        return services.correct_receipt(
            request.user, receipt, reason=reason, expected_version=version, **data
        )

    return form_post(
        request,
        form,
        correct,
        render_page=form_page(
            request, "service/receipt_correct.html", receipt=receipt, project=project
        ),
        redirect_to=reverse("service:receipt", args=[receipt.pk]),
        success=_("Receipt %(number)s is corrected; the leader has been told.")
        % {"number": receipt.number},
    )


@login_required
@require_POST
def instruction_create(request, pk):
    receipt = get_object_or_404(_receipt_queryset(request), pk=pk)
    if not permissions.can_instruct(request.user, receipt):
        raise PermissionDenied
    item_forms = ActionItemFormSet(
        request.POST, prefix="items", form_kwargs={"district_id": receipt.district_id}
    )

    def write(data):
        return services.write_instruction(
            request.user,
            receipt,
            text=data["text"],
            written_on=data["written_on"],
            items=[row for _index, row in item_forms.items()],
        )

    def errors_to(exc):
        # A refused action item names its row among the filled ones.
        if isinstance(exc, services.InstructionItemError):
            filled = item_forms.items()
            for index, error in exc.rows.items():
                apply_service_errors(item_forms.forms[filled[index][0]], error)
            if exc.others:  # the instruction's own fields, refused with the items
                apply_service_errors(form, ValidationError(exc.others))
        else:
            apply_service_errors(form, exc)

    def render_page(form, status, stale):
        if stale:
            form.add_error(None, stale)
        context = _receipt_context(request, receipt, instruction_form=form, item_forms=item_forms)
        return render(request, "service/receipt.html", context, status=status)

    form = InstructionForm(request.POST, auto_id="id_ins_%s")
    return form_post(
        request,
        form,
        write,
        render_page=render_page,
        redirect_to=reverse("service:receipt", args=[receipt.pk]),
        success=lambda instruction: (
            _("The instruction is recorded; action items under supervision: %(n)s.")
            % {"n": len(instruction.action_items_created)}
        ),
        formsets=[item_forms],
        errors_to=errors_to,
    )


# ---------------------------------------------------------------------------------------
# The leader's inbox


def filtered_inbox(request):
    """The receipts addressed to the user, filtered as the inbox's query string says (the
    home's counts use it too)."""
    user = request.user
    form = InboxFilterForm(request.GET or None, user=user)
    qs = Receipt.objects.visible_to(user).addressed_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("project"):
            qs = qs.filter(project=data["project"])
        if data.get("week"):
            monday = data["week"] - datetime.timedelta(days=data["week"].weekday())
            qs = qs.filter(visited_on__range=(monday, monday + datetime.timedelta(days=6)))
        if data.get("unread"):
            qs = qs.unread()
    return form, qs


@login_required
def inbox(request):
    user = request.user
    form, qs = filtered_inbox(request)
    unread_total = Receipt.objects.visible_to(user).addressed_to(user).unread().count()
    qs = (
        qs.select_related("project", "department", "filed_by")
        .annotate(instruction_count=Count("instructions"))
        .order_by(unread_first(), "-visited_on", "-id")  # then the newest, read or not
    )
    page = paginate(request, qs)
    return render(
        request,
        "service/inbox.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "unread_total": unread_total,
            "is_leader": roles.has_role(user, Role.LEADER),
        },
    )
