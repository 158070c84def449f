"""Explicit domain events, written by services in the same transaction as the change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import DomainEvent

# How each domain event reads in activity feeds; apps add theirs here as they grow.
EVENT_LABELS = {
    "project.created": _("Project registered"),
    "project.updated": _("Project edited"),
    "project.deleted": _("Project deleted"),
    "project.stage_changed": _("Stage changed"),
    "project.condition_changed": _("Condition changed"),
    "project.team_assigned": _("Team member assigned"),
    "project.team_removed": _("Team member removed"),
    "project.document_uploaded": _("Document uploaded"),
    "project.funds_recorded": _("Funds in place recorded"),
    "project.monthly_report_filed": _("Monthly report filed"),
    "project.monthly_report_corrected": _("Monthly report corrected"),
    "enterprise.created": _("Enterprise registered"),
    "enterprise.updated": _("Enterprise edited"),
    "enterprise.deleted": _("Enterprise deleted"),
    "case.registered": _("Case registered"),
    "case.materials_complete": _("Materials complete"),
    "case.supplement_requested": _("Supplementary materials requested (补正)"),
    "case.accepted": _("Accepted"),
    "case.in_progress": _("Handling started"),
    "case.paused": _("Clock paused"),
    "case.resumed": _("Clock resumed"),
    "case.extended": _("Extended (special circumstances)"),
    "case.transferred": _("Transferred (快速转办)"),
    "case.reported": _("Reported upward"),
    "case.done": _("Done"),
    "case.returned": _("Returned"),
    "case.pledge_fulfilled": _("Pledged materials received"),
    "case.pledge_overdue": _("Pledged materials overdue"),
    "case.joint_decision": _("Joint decision: approved together"),
    "project.green_channel_registered": _("Green-channel cases registered"),
    "project.joint_decision": _("Joint decision recorded"),
    "approval_item.prerequisites_set": _("Prerequisites set"),
    "calendar.year_loaded": _("Holiday arrangement loaded"),
    "calendar.year_published": _("Holiday arrangement published"),
    "calendar.year_edited": _("Holiday arrangement edited"),
}


def event_label(verb: str) -> str:
    return str(EVENT_LABELS.get(verb, verb))


def log_event(actor, verb: str, obj, summary: str = "", occurred_at=None, **data) -> DomainEvent:
    """Record a domain event about ``obj``; ``occurred_at`` defaults to now (loaders of past
    data pass the real moment)."""
    district_id = getattr(obj, "district_id", None)
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    return DomainEvent.objects.create(
        occurred_at=occurred_at or timezone.now(),
        district_id=district_id,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_id=obj.pk,
        summary=summary[:300],
        data=_jsonable(data),
    )


def _jsonable(value):
    import datetime
    import decimal

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value
