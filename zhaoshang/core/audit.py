"""Explicit domain events, written by services in the same transaction as the change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock
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
    "enterprise.imported": _("Enterprises imported from Excel"),
    "project.imported": _("Projects imported from Excel"),
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
    "approval_item.created": _("Approval item added"),
    "approval_item.updated": _("Approval item edited"),
    "receipt.filed": _("Receipt filed"),
    "receipt.read": _("Receipt read by the leader"),
    "receipt.corrected": _("Receipt corrected"),
    "instruction.written": _("Instruction written (批示)"),
    "need.raised": _("Problem raised"),
    "need.updated": _("Problem edited"),
    "need.started": _("Problem taken up"),
    "need.resolved": _("Problem solved"),
    "need.escalated": _("Problem submitted to a joint meeting"),
    "need.closed": _("Problem closed"),
    "second_round.recorded": _("Second-round service recorded"),
    "meeting.scheduled": _("Meeting scheduled"),
    "meeting.updated": _("Meeting edited"),
    "meeting.agenda_added": _("Put on the agenda"),
    "meeting.agenda_removed": _("Taken off the agenda"),
    "meeting.held": _("Meeting held"),
    "meeting.minutes_issued": _("Minutes issued"),
    "decision.recorded": _("Decision recorded"),
    "action_item.created": _("Action item assigned (督办)"),
    "action_item.updated": _("Action item changed"),
    "action_item.progress": _("Progress reported"),
    "action_item.completed": _("Reported done, awaiting confirmation"),
    "action_item.closed": _("Closed by the supervision office"),
    "action_item.returned": _("Sent back to be redone (退回重办)"),
    "action_item.overdue": _("Overdue: escalated"),
    "agreement.created": _("Agreement recorded"),
    "agreement.updated": _("Agreement edited"),
    "agreement.deleted": _("Agreement deleted"),
    "obligation.added": _("Obligation added"),
    "obligation.updated": _("Obligation edited"),
    "obligation.removed": _("Obligation removed"),
    "obligation.confirmed": _("Obligation confirmed with evidence"),
    "obligation.waived": _("Obligation waived"),
    "obligation.missed": _("Obligation missed (breach recorded)"),
    "complaint.received": _("Complaint received"),
    "complaint.dispatched": _("Complaint dispatched to the department"),
    "complaint.accepted": _("Complaint accepted"),
    "complaint.answered": _("Complaint answered"),
    "complaint.reopened": _("Complaint reopened: the enterprise is dissatisfied"),
    "complaint.closed": _("Complaint closed"),
    "complaint.extension_requested": _("Extension requested (complex case)"),
    "complaint.extension_approved": _("Extension approved"),
    "complaint.extension_rejected": _("Extension rejected"),
    "complaint.attachment_added": _("File attached"),
    "inspection.filed": _("Inspection request filed"),
    "inspection.approved": _("Inspection request approved; codes issued"),
    "inspection.rejected": _("Inspection request rejected"),
    "inspection.cancelled": _("Inspection request cancelled"),
    "inspection.merged": _("Merged into a joint inspection"),
    "inspection.carried_out": _("Visit carried out"),
    "inspection.rated": _("Visit rated by the enterprise"),
    "commitment.created": _("Service commitment made"),
    "commitment.replanned": _("Reverse schedule planned again"),
    "commitment.completed": _("Service commitment completed"),
    "commitment.filed": _("Filed to the park committee's archive"),
    "commitment.deleted": _("Service commitment deleted"),
    "milestone.progress": _("Milestone progress reported"),
    "milestone.done": _("Milestone done"),
    "milestone.rescheduled": _("Milestone moved"),
    "milestone.missed": _("Milestone missed"),
    "land_parcel.created": _("Parcel recorded"),
    "land_parcel.updated": _("Parcel edited"),
    "land_parcel.status_changed": _("Parcel status changed"),
    "annual_target.created": _("Annual target set"),
    "annual_target.updated": _("Annual target changed"),
    "annual_target.deleted": _("Annual target deleted"),
    "land_campaign.opened": _("Land clean-up campaign opened"),
    "land_campaign.generated": _("Land clean-up entries generated"),
    "land_campaign.closed": _("Land clean-up campaign closed"),
    "land_entry.decided": _("Land clean-up decision recorded"),
    "report.issued": _("Report issued"),
    "report.reissued": _("Report reissued (new version)"),
    "calendar.year_loaded": _("Holiday arrangement loaded"),
    "calendar.year_published": _("Holiday arrangement published"),
    "calendar.year_edited": _("Holiday arrangement edited"),
    "exit_warning.raised": _("Exit warning raised"),
    "exit_warning.notice_issued": _("Rectification notice issued (限期整改通知)"),
    "exit_warning.clearance_decided": _("Clearance decided (清退决定)"),
    "exit_warning.land_recovered": _("Land recovered (收回土地)"),
    "exit_warning.cleared": _("Exit warning cleared: condition met"),
    "exit_warning.delay_confirmed": _("Government delay confirmed; due date moved"),
    "exit_warning.excluded": _("Excluded: delay not the enterprise's own"),
    "exit_warning.reopened": _("Exit warning reopened: moved due date passed"),
    "assessment.year_opened": _("Assessment year opened"),
    "assessment.base_set": _("Assessment base score set"),
    "assessment.department_base_set": _("Department's base score set"),
    "assessment.year_finished": _("Assessment year finished"),
    "assessment.entry_added": _("Assessment entry added by hand"),
    "assessment.objection_filed": _("Objection to an assessment entry filed"),
    "assessment.objection_upheld": _("Objection upheld: points cancelled"),
    "assessment.objection_rejected": _("Objection rejected"),
    "api_token.issued": _("API token issued"),
    "api_token.revoked": _("API token revoked"),
}


def register_events(labels: dict) -> None:
    """An app's own event names and how they read (called from its ``AppConfig.ready``)."""
    clash = {verb for verb in labels if verb in EVENT_LABELS and EVENT_LABELS[verb] != labels[verb]}
    if clash:
        raise ValueError(f"Event names registered twice: {sorted(clash)}")
    EVENT_LABELS.update(labels)


def event_label(verb: str) -> str:
    return str(EVENT_LABELS.get(verb, verb))


def build_event(actor, verb: str, obj, summary: str = "", occurred_at=None, **data) -> DomainEvent:
    """The domain event about ``obj``, not yet written (``log_event`` writes one,
    ``log_events`` many at once)."""
    district_id = getattr(obj, "district_id", None)
    if district_id is None and obj._meta.label == "org.District":
        district_id = obj.pk  # an event about the district's registry as a whole (an import)
    from django.contrib.contenttypes.models import ContentType

    return DomainEvent(
        occurred_at=occurred_at or clock.now(),
        district_id=district_id,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_id=obj.pk,
        summary=summary[:300],
        data=_jsonable(data),
    )


def log_event(actor, verb: str, obj, summary: str = "", occurred_at=None, **data) -> DomainEvent:
    """Record a domain event about ``obj``; ``occurred_at`` defaults to now (loaders of past
    data pass the real moment)."""
    event = build_event(actor, verb, obj, summary, occurred_at, **data)
    event.save()
    return event


def log_events(events) -> list[DomainEvent]:
    """Write many events built by ``build_event`` in bulk (the daily scan's)."""
    return DomainEvent.objects.bulk_create(list(events), batch_size=1000)


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
