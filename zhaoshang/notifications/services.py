"""notify(): the one way the platform tells people something.

It writes the in-app notification and the outbox rows inside the caller's
transaction, so a message exists exactly when the change that caused it was
committed; delivery happens afterwards in a background task with retries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zhaoshang.notifications.models import Channel, Notification, OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 6


def notify(
    recipients: Iterable, verb: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Queue a message for each distinct, active recipient; returns the notifications."""
    seen: set[int] = set()
    created: list[Notification] = []
    has_outbox = False
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        note = Notification.objects.create(
            recipient=user, verb=verb, title=title[:200], body=body, url=url
        )
        if user.email:
            OutboxMessage.objects.create(
                notification=note, channel=Channel.EMAIL, address=user.email
            )
            has_outbox = True
        created.append(note)
    if has_outbox:
        transaction.on_commit(_enqueue_delivery)
    return created


def notify_many(messages: Iterable[tuple[Iterable, str, str, str, str]]) -> int:
    """``notify`` for many messages at once — (recipients, verb, title, body, url) each —
    written with two bulk inserts (the daily scan's escalations). Returns how many
    notifications were written."""
    notes: list[Notification] = []
    for recipients, verb, title, body, url in messages:
        seen: set[int] = set()
        for user in recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            note = Notification(recipient=user, verb=verb, title=title[:200], body=body, url=url)
            note._email = user.email
            notes.append(note)
    Notification.objects.bulk_create(notes, batch_size=1000)
    outbox = [
        OutboxMessage(notification=note, channel=Channel.EMAIL, address=note._email)
        for note in notes
        if note._email
    ]
    OutboxMessage.objects.bulk_create(outbox, batch_size=1000)
    if outbox:
        transaction.on_commit(_enqueue_delivery)
    return len(notes)


def _enqueue_delivery() -> None:
    from zhaoshang.notifications.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the broker being down must not break the user's request
        import logging

        logging.getLogger(__name__).warning("could not enqueue outbox delivery", exc_info=True)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def deliver_pending(now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Deliver what is due in the outbox; failures are retried with back-off."""
    now = now or timezone.now()
    sent = 0
    pending = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(models_q_due(now))
        .select_related("notification")[:limit]
    )
    for message in pending:
        try:
            _deliver(message)
        except Exception as exc:  # noqa: BLE001 - any transport error is retried
            message.attempts += 1
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            else:
                message.next_attempt_at = now + datetime.timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            continue
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.attempts += 1
        message.save(update_fields=["status", "sent_at", "attempts"])
        sent += 1
    return sent


def models_q_due(now):
    from django.db.models import Q

    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _deliver(message: OutboxMessage) -> None:
    note = message.notification
    if message.channel == Channel.EMAIL:
        body = note.body
        if note.url:
            body = f"{body}\n\n{note.url}".strip()
        send_mail(note.title, body, settings.DEFAULT_FROM_EMAIL, [message.address])
        return
    raise RuntimeError(f"channel {message.channel} is not configured")
