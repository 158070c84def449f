"""Explicit domain events, written by services in the same transaction as the change."""

from __future__ import annotations

from zhaoshang.core import clock
from zhaoshang.core.models import DomainEvent

# How each domain event reads in activity feeds: every app registers its own (its
# ``events.py``, from ``AppConfig.ready``).
EVENT_LABELS: dict = {}


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
