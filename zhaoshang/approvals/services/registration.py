"""Registration (统一受理): a case per project and item, or every green-channel item of the
catalogue at once, carried by the service center's agent (项目代办)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.approvals import permissions
from zhaoshang.approvals.models import ApprovalCase, ApprovalItem
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import build_event, log_event, log_events
from zhaoshang.core.services import gather, raise_errors, require


def _case(
    user, project, item: ApprovalItem, agent=None, applied_on=None, department=None
) -> ApprovalCase:
    """A new case of ``item`` for the project, unsaved; it runs on the item's promise."""
    return ApprovalCase(
        applied_on=applied_on,
        district_id=project.district_id,
        project=project,
        item=item,
        department_id=department.pk if department is not None else item.department_id,
        agent=agent,
        registered_on=clock.today(),
        registered_by=user,
        time_limit=item.time_limit,
        time_limit_unit=item.time_limit_unit,
    )


def _registered(user, case: ApprovalCase):
    return build_event(
        user, "case.registered", case, summary=f"{case.project.name} · {case.item.name}"
    )


def _check_agent(agent, project) -> None:
    if agent is None:
        return
    if agent.district_id != project.district_id or not roles.has_role(
        agent, roles.Role.SERVICE_CENTER
    ):
        raise ValidationError(
            {"agent": _("The agent must be a service center agent of the district.")}
        )


@transaction.atomic
def register_case(
    user,
    project,
    item: ApprovalItem,
    agent=None,
    applied_on: datetime.date | None = None,
    *,
    department=None,
) -> ApprovalCase:
    """Register one item's case for the project (统一受理), optionally carried by an agent;
    one case per project and item. ``applied_on``: the day the application reached the
    service center's window, when before today — the working days from complete materials
    to registration are then the service center's (a registration delay). ``department``
    (补录 of a district's ledger): the department that held the case, when not the item's."""
    require(permissions.can_register(user, project))
    # The date, the item and the agent are all checked before refusing, so that one answer
    # names every problem of the form.
    errors: dict = {}
    if applied_on is not None and applied_on > clock.today():
        errors["applied_on"] = [_("The date cannot be in the future.")]
    if item.district_id != project.district_id:
        errors["item"] = [_("This record belongs to another district.")]
    elif ApprovalCase.objects.filter(project=project, item=item).exists():
        errors["item"] = [
            _("This project already has a case for “%(item)s”.") % {"item": item.name}
        ]
    if department is not None and department.district_id != project.district_id:
        errors["department"] = [_("This record belongs to another district.")]
    gather(errors, _check_agent, agent, project)
    raise_errors(errors)
    case = _case(user, project, item, agent, applied_on, department)
    case.save()
    _registered(user, case).save()
    return case


@transaction.atomic
def register_green_channel(user, project, agent) -> list[ApprovalCase]:
    """统一受理: register every green-channel item of the catalogue for the project at once,
    each carried by the agent (项目代办)."""
    require(permissions.can_register(user, project))
    if not project.is_green_channel:
        raise ValidationError(_("Only a green-channel project has its cases registered at once."))
    if agent is None:
        raise ValidationError({"agent": _("Choose the agent who carries the cases.")})
    _check_agent(agent, project)
    existing = set(ApprovalCase.objects.filter(project=project).values_list("item_id", flat=True))
    items = ApprovalItem.objects.filter(
        district_id=project.district_id, is_active=True, in_green_channel=True
    )
    created = [_case(user, project, item, agent) for item in items.exclude(pk__in=existing)]
    if created:  # the cases, their history rows and their events: one insert each
        created = bulk_create_with_history(
            created, ApprovalCase, default_user=user, default_date=clock.now()
        )
        log_events(_registered(user, case) for case in created)
    for case in ApprovalCase.objects.filter(project=project, agent__isnull=True):
        case.agent = agent  # saved one by one so the change history keeps it
        case.save(update_fields=["agent", "updated_at"])
    log_event(
        user,
        "project.green_channel_registered",
        project,
        summary=str(len(created)),
        count=len(created),
    )
    return created
