"""An action item's page with its record and actions, its evidence files, and the
supervision office's forms to assign an item directly and to change one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhaoshang.core import clock
from zhaoshang.core.actions import form_page, form_post, panel, record_action_view
from zhaoshang.meetings import permissions, services
from zhaoshang.meetings.actions import ACTIONS
from zhaoshang.meetings.forms import ActionItemForm
from zhaoshang.meetings.models import ActionItem, ActionProgress
from zhaoshang.meetings.views._common import (
    days_left_text,
    may_create,
    record_events,
)


def _item_queryset(request):
    return (
        ActionItem.objects.visible_to(request.user)
        .with_days_left(clock.today())
        .select_related(
            "owner_department",
            "owner_person",
            "project__enterprise",
            "decision__meeting__chair",
            "decision__agenda_item",
            "instruction__leader",
            "instruction__receipt",
            "need",
            "assigned_by",
            "closed_by",
            "district",
        )
    )


def _no_actions(item: ActionItem) -> str:
    if item.is_open:
        return _(
            "The owner department reports progress and completion; the supervision office confirms."
        )
    if item.is_closed:
        return _("The action item is closed.")
    return _("Reported done: the supervision office confirms it or sends it back.")


def _action_url(item: ActionItem):
    return lambda action: f"{item.get_absolute_url()}{action.slug}/"


def _item_context(request, item: ActionItem, bound=None, stale: str = "") -> dict:
    user = request.user
    progress = list(ActionProgress.objects.filter(action_item=item).select_related("by"))
    return {
        "item": item,
        "progress": progress,
        "events": record_events(item),
        "days_left_text": days_left_text(item),
        "actions": panel(
            user, item, ACTIONS, _action_url(item), bound=bound, record_kwarg="record"
        ),
        "no_actions": _no_actions(item),
        "stale": stale,
        "can_edit": permissions.can_supervise(user, item) and not item.is_closed,
    }


@login_required
def action_item_detail(request, pk):
    item = get_object_or_404(_item_queryset(request), pk=pk)
    return render(request, "meetings/action_item.html", _item_context(request, item))


@login_required
@require_POST
def action_item_action(request, pk, action):
    """One action from the item's panel: 302, 400 with the errors, 409 when stale."""
    return record_action_view(
        request,
        _item_queryset(request),
        pk,
        ACTIONS[action],
        template="meetings/action_item.html",
        context=_item_context,
    )


@login_required
def action_item_file(request, pk, file_pk):
    item = get_object_or_404(ActionItem.objects.visible_to(request.user), pk=pk)
    entry = get_object_or_404(ActionProgress, pk=file_pk, action_item=item)
    if not entry.file:
        raise Http404
    try:
        handle = entry.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=entry.file_name)


def _item_changes(data: dict) -> dict:
    return {
        name: data.get(name)
        for name in (
            "title",
            "description",
            "owner_department",
            "owner_person",
            "start_on",
            "due_on",
            "due_workdays",
            "project",
        )
    }


@login_required
def action_item_create(request):
    """督办交办: the supervision office (or a leader) assigns an item directly."""
    user = request.user
    if not may_create(request, permissions.can_assign):
        raise PermissionDenied
    form = ActionItemForm(request.POST or None, district_id=user.district_id)
    return form_post(
        request,
        form,
        lambda data: services.create_action_item(
            user, district=user.district, need=data.get("need"), **_item_changes(data)
        ),
        render_page=form_page(request, "meetings/action_item_form.html"),
        redirect_to=lambda item: item.get_absolute_url(),
        success=lambda item: (
            _("Action item %(number)s has been assigned to %(department)s.")
            % {"number": item.number, "department": item.owner_department.name}
        ),
    )


def _changed(form, data: dict) -> dict:
    """The fields the form changed; the due date and its working days go together."""
    changes = {
        name: value for name, value in _item_changes(data).items() if name in form.changed_data
    }
    if "due_on" in changes or "due_workdays" in changes:
        changes.setdefault("due_on", data.get("due_on"))
        changes.setdefault("due_workdays", data.get("due_workdays"))
    return changes


@login_required
def action_item_edit(request, pk):
    item = get_object_or_404(_item_queryset(request), pk=pk)
    if not permissions.can_supervise(request.user, item):
        raise PermissionDenied
    form = ActionItemForm(request.POST or None, district_id=item.district_id, item=item)
    return form_post(
        request,
        form,
        lambda data: services.update_action_item(
            request.user, item, _changed(form, data), data.get("version")
        ),
        render_page=form_page(request, "meetings/action_item_form.html", item=item),
        redirect_to=item.get_absolute_url(),
        success=_("The action item has been saved."),
    )
