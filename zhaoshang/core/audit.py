"""Explicit domain events, written by services in the same transaction as the change."""

from __future__ import annotations

from zhaoshang.core.models import DomainEvent


def log_event(actor, verb: str, obj, summary: str = "", **data) -> DomainEvent:
    district_id = getattr(obj, "district_id", None)
    from django.contrib.contenttypes.models import ContentType

    return DomainEvent.objects.create(
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
