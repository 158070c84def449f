"""The supervision board (督办台账) with its Excel export and print view, and the
department's worklist of action items: filtered, ordered by working days left (computed in SQL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhaoshang.core import clock, pagecache, roles
from zhaoshang.core.exports import xlsx_response
from zhaoshang.core.lights import Light
from zhaoshang.core.printing import print_page
from zhaoshang.core.views_helpers import paginate
from zhaoshang.meetings import permissions
from zhaoshang.meetings.choices import OPEN_ACTION_STATUSES, ActionStatus
from zhaoshang.meetings.forms import BoardFilterForm
from zhaoshang.meetings.models import ActionItem
from zhaoshang.meetings.querysets import action_item_overdue_q, bucket_of
from zhaoshang.meetings.views._common import days_left_text, may_create

# The working days left grow with the due date (the same due date, the same days left), so
# "least time left first" is "earliest due date first": read on the stored due date (and
# the stored bucket, ``ActionItem.bucket``) from the ``action_board_order`` index, not on
# the days left computed for every item of the district and sorted.
BOARD_SORTS = {
    "days_left": ["due_on"],
    "-days_left": ["-due_on"],
    "due_on": ["due_on"],
    "-due_on": ["-due_on"],
    "number": ["number"],
    "-number": ["-number"],
}


def _owned_by(user) -> Q:
    """The items a person answers for: their department's, and those they are in charge of."""
    rule = Q(owner_person_id=user.pk)
    if user.department_id:
        rule |= Q(owner_department_id=user.department_id)
    return rule


def filtered_items(request, own: bool = False):
    """The action items a list shows, filtered as the query string says and ordered by
    working days left (computed in SQL); shared by the board, the worklist and the export.
    Open items first (the least time left first), then those awaiting confirmation, then
    the closed ones."""
    user = request.user
    today = clock.today()
    form = BoardFilterForm(request.GET or None, user=user, own_department=own)
    qs = ActionItem.objects.visible_to(user).with_days_left(today)
    if own:
        qs = qs.filter(_owned_by(user))
    status_given = False
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            # the status's bucket too: the board's index then reads that bucket alone
            qs = qs.filter(status=data["status"], bucket=bucket_of(data["status"]))
            status_given = True
        if data.get("light"):
            qs = qs.filter(light=data["light"])
        if data.get("department"):
            qs = qs.filter(owner_department=data["department"])
        if data.get("source"):
            qs = qs.filter(source=data["source"])
        if data.get("project"):
            qs = qs.filter(project=data["project"])
        if data.get("overdue"):
            qs = qs.overdue(today)
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(title__icontains=text)
                | Q(number__icontains=text)
                | Q(project__name__icontains=text)
                | Q(owner_department__name__icontains=text)
            )
    if own and not status_given:
        qs = qs.exclude(status=ActionStatus.CLOSED)
    sort = request.GET.get("sort", "")
    if sort in BOARD_SORTS:
        qs = qs.order_by(*BOARD_SORTS[sort], "id")
    else:
        sort = ""
        qs = qs.order_by("bucket", *BOARD_SORTS["days_left"], "id")  # stored bucket
    return form, qs, sort


def _list_rows(request, qs):
    qs = qs.select_related(
        "owner_department", "owner_person", "project", "decision__meeting", "district"
    )
    page = paginate(request, qs)
    for item in page:
        item.days_left_text = days_left_text(item)
    return page


def _summary(qs) -> dict:
    """Counts of the items in scope by state, in one query."""
    today = clock.today()
    # status and due date: read from the ``action_board_counts`` index alone (SQLite does
    # not read a generated column such as ``bucket`` from an index)
    return qs.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue=Count("pk", filter=action_item_overdue_q(today)),
        awaiting=Count("pk", filter=Q(status=ActionStatus.AWAITING_CONFIRMATION)),
        closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
    )


def _by_department(qs) -> list[dict]:
    """Per owner department: open, overdue, awaiting confirmation and closed items."""
    today = clock.today()
    return list(
        qs.order_by()
        .values("owner_department__name", "owner_department__sort_order")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
            overdue=Count("pk", filter=action_item_overdue_q(today)),
            awaiting=Count("pk", filter=Q(status=ActionStatus.AWAITING_CONFIRMATION)),
            closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        )
        .order_by("-overdue", "-open", "owner_department__sort_order", "owner_department__name")
    )


@login_required
@pagecache.kept_page
def board(request):
    form, qs, sort = filtered_items(request)
    scope = ActionItem.objects.visible_to(request.user)
    return render(
        request,
        "meetings/board.html",
        {
            "form": form,
            "page": _list_rows(request, qs),
            "sort": sort,
            "summary": _summary(scope),
            "by_department": _by_department(scope),
            "show_district": roles.sees_all_districts(request.user),
            "can_assign": may_create(request, permissions.can_assign),
        },
    )


@login_required
def board_export(request):
    _form, qs, _sort = filtered_items(request)
    qs = qs.select_related(
        "owner_department",
        "owner_person",
        "project",
        "decision__meeting",
        "instruction",
        "need",
        "assigned_by",
    )
    columns = [
        (_("Number"), lambda i: i.number),
        (_("Action item"), lambda i: i.title),
        (_("Source of the item"), lambda i: i.get_source_display()),
        (_("Meeting"), lambda i: str(i.decision.meeting) if i.decision_id else ""),
        (_("Project"), lambda i: i.project.name if i.project_id else ""),
        (_("Owner department"), lambda i: i.owner_department.name),
        (_("Person in charge"), lambda i: i.owner_person.display_name if i.owner_person_id else ""),
        (_("Start date"), lambda i: i.start_on),
        (_("Due on"), lambda i: i.due_on),
        (_("Due date provisional"), lambda i: _("Yes") if i.due_is_provisional else ""),
        (_("Working days left"), lambda i: i.days_left if i.is_open else None),
        (_("Light"), lambda i: Light(i.light).label if i.is_open else ""),
        (_("Status"), lambda i: i.get_status_display()),
        (_("Reported done on"), lambda i: i.completed_on),
        (_("Closed on"), lambda i: i.closed_on),
        (_("Assigned by"), lambda i: i.assigned_by.display_name),
    ]
    if roles.sees_all_districts(request.user):
        qs = qs.select_related("district")
        columns.insert(0, (_("District"), lambda i: str(i.district)))
    return xlsx_response(
        "action-items",
        _("Action items"),
        columns,
        qs.iterator(chunk_size=500),
        name=pgettext("file name", "Action items register"),
    )


@login_required
def board_print(request):
    """The board as filtered and sorted, every row, on A4 landscape (台账)."""
    form, qs, _sort = filtered_items(request)
    rows = list(
        qs.select_related(
            "owner_department", "owner_person", "project", "decision__meeting", "district"
        )
    )
    for item in rows:
        item.days_left_text = days_left_text(item)
    return print_page(
        request,
        "meetings/board_print.html",
        title=pgettext("print title", "Supervision register"),
        rows=rows,
        form=form,
        back_url=reverse("meetings:board"),
    )


@login_required
def worklist(request):
    """督办事项: the items the user's department (or the user) answers for, the least time
    left first; the closed ones only when asked for."""
    form, qs, sort = filtered_items(request, own=True)
    return render(
        request,
        "meetings/worklist.html",
        {
            "form": form,
            "page": _list_rows(request, qs),
            "sort": sort,
            "department": request.user.department,
            "summary": _summary(
                ActionItem.objects.visible_to(request.user).filter(_owned_by(request.user))
            ),
        },
    )
