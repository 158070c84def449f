"""The problem list (问题清单): the lists, the department's own, the export, a problem's
page with its actions, and raising one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core import roles
from zhaoshang.core.actions import form_post, panel, record_action_view
from zhaoshang.core.audit import event_label
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.core.views_helpers import paginate
from zhaoshang.projects.views import get_visible_project, project_context
from zhaoshang.service import permissions, services
from zhaoshang.service.actions import NEED_ACTIONS
from zhaoshang.service.choices import OPEN_NEED_STATUSES
from zhaoshang.service.forms import NeedFilterForm, NeedForm
from zhaoshang.service.models import NeedAttachment, Receipt
from zhaoshang.service.views._common import days_left_text, visible_needs
from zhaoshang.service.views.forwards import forwards_of


def own_department_only(user) -> bool:
    return roles.has_role(user, Role.DEPARTMENT) and bool(user.department_id)


def filtered_needs(request, *, own_department: bool = False):
    user = request.user
    form = NeedFilterForm(request.GET or None, user=user, own_department=own_department)
    qs = visible_needs(user)
    if own_department:
        qs = qs.filter(department_id=user.department_id)
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status")
        if status == NeedFilterForm.OPEN:
            qs = qs.filter(status__in=OPEN_NEED_STATUSES)
        elif status:
            qs = qs.filter(status=status)
        for name in ("category", "department", "project", "raised_via", "light"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(description__icontains=text)
                | Q(project__name__icontains=text)
                | Q(project__code__icontains=text)
            )
    return form, qs


def _order_open_first(qs):
    return qs.annotate(
        closed=Case(
            When(status__in=OPEN_NEED_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "due_on", "id")


def _needs_page(request, *, own_department: bool):
    form, qs = filtered_needs(request, own_department=own_department)
    qs = _order_open_first(qs).select_related("project", "department", "raised_by")
    show_district = roles.sees_all_districts(request.user)
    if show_district:
        qs = qs.select_related("district")
    page = paginate(request, qs)
    for need in page:
        need.days_left_text = days_left_text(need)
    return render(
        request,
        "service/needs.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "own_department": own_department,
            "department": request.user.department if own_department else None,
            "show_district": show_district,
        },
    )


@login_required
def needs(request):
    return _needs_page(request, own_department=False)


@login_required
def department_needs(request):
    """部门待办: the problems assigned to the user's own department."""
    if not request.user.department_id:
        return render(
            request,
            "service/needs.html",
            {"form": None, "page": [], "count": 0, "own_department": True, "department": None},
        )
    return _needs_page(request, own_department=True)


@login_required
def needs_export(request):
    _form, qs = filtered_needs(request)
    qs = _order_open_first(qs).select_related(
        "project__enterprise", "department", "raised_by", "escalated_by"
    )
    columns = [
        (_("Number"), lambda n: n.number),
        (_("Project code"), lambda n: n.project.code),
        (_("Project"), lambda n: n.project.name),
        (_("Enterprise"), lambda n: n.project.enterprise.name if n.project.enterprise else ""),
        (_("Category"), lambda n: n.get_category_display()),
        (_("Title"), lambda n: n.title),
        (_("Description"), lambda n: n.description),
        (_("Assigned department"), lambda n: n.department.name),
        (_("Raised via"), lambda n: n.get_raised_via_display()),
        (_("Raised by"), lambda n: n.raised_by.display_name),
        (_("Raised on"), lambda n: n.raised_on),
        (_("Time limit (working days)"), lambda n: n.due_workdays),
        (_("Due on"), lambda n: n.due_on),
        (_("Due date provisional"), lambda n: _("Yes") if n.due_is_provisional else ""),
        (_("Working days left"), lambda n: n.days_left if n.is_open else None),
        (_("Light"), lambda n: Light(n.light).label),
        (_("Status"), lambda n: n.get_status_display()),
        (_("Submitted to a meeting on"), lambda n: n.escalated_on),
        (_("Resolution"), lambda n: n.resolution),
        (_("Solved on"), lambda n: n.resolved_on),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda n: str(n.district)))
    return xlsx_response(
        "problem-list",
        _("Problem list"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Problem list"),
    )


def _need_queryset(request):
    return visible_needs(request.user).select_related(
        "project__enterprise",
        "project__district",
        "department",
        "raised_by",
        "escalated_by",
        "receipt",
        "district",
    )


def _no_actions(need) -> str:
    if need.is_open:
        return _("The assigned department, the project team and the bureau act on a problem.")
    return _("The problem is closed.")


def _need_context(request, need, bound=None, stale: str = "") -> dict:
    events = list(
        DomainEvent.objects.for_object(need).select_related("actor").order_by("occurred_at", "id")
    )
    for event in events:
        event.display = event_label(event.verb)
    agenda = list(need.agenda_items.select_related("meeting"))
    need.days_left_text = days_left_text(need)
    return {
        "need": need,
        "project": need.project,
        "actions": panel(
            request.user,
            need,
            NEED_ACTIONS,
            lambda action: reverse(f"service:need_{action.slug}", args=[need.pk]),
            bound=bound,
            record_kwarg="need",
        ),
        "no_actions": _no_actions(need),
        "events": events,
        "stale": stale,
        "agenda": agenda,
        "attachments": list(need.attachments.all()),
        "action_items": list(need.action_items.select_related("owner_department", "owner_person")),
        "forwards": forwards_of(need),
        "can_forward": permissions.can_forward(request.user, need=need),
        "forward_url": reverse("service:forward_need", args=[need.pk]),
    }


@login_required
def need_detail(request, pk):
    need = get_object_or_404(_need_queryset(request), pk=pk)
    return render(request, "service/need.html", _need_context(request, need))


@login_required
def need_attachment(request, pk, attachment_pk):
    """A file the enterprise sent with its need."""
    need = get_object_or_404(visible_needs(request.user), pk=pk)
    attachment = get_object_or_404(NeedAttachment, pk=attachment_pk, need=need)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def need_action(request, pk, action):
    """One action from the problem's panel: 302, 400 with the errors, 409 when stale."""
    return record_action_view(
        request,
        _need_queryset(request),
        pk,
        NEED_ACTIONS[action],
        template="service/need.html",
        context=_need_context,
        record_kwarg="need",
        redirect_to=lambda record: reverse("service:need", args=[record.pk]),
    )


@login_required
def need_create(request, pk):
    project = get_visible_project(request, pk)
    if not permissions.can_raise_need(request.user, project):
        raise PermissionDenied
    if request.method == "POST":
        form = NeedForm(request.POST, project=project)
    else:
        form = NeedForm(project=project, initial=_initial_from_receipt(request, project))

    def render_page(form, status, stale):
        context = project_context(request, project, "service", form=form)
        return render(request, "service/need_form.html", context, status=status)

    return form_post(
        request,
        form,
        lambda data: services.raise_need(request.user, project, **data),
        render_page=render_page,
        redirect_to=lambda need: reverse("service:need", args=[need.pk]),
        success=lambda need: (
            _("Problem %(number)s is on the list, due on %(due)s.")
            % {"number": need.number, "due": need.due_on.isoformat()}
        ),
    )


def _initial_from_receipt(request, project) -> dict:
    """A problem raised from a receipt (``?receipt=``) starts from its matter."""
    receipt_id = request.GET.get("receipt")
    if receipt_id and receipt_id.isdigit():
        receipt = Receipt.objects.filter(project=project, pk=receipt_id).first()
        if receipt is not None:
            return {
                "receipt": receipt,
                "department": receipt.department,
                "title": receipt.matter[:120],
                "description": receipt.problems,
            }
    return {}
