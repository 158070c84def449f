"""notify(): the one way the platform tells people something.

It writes the in-app notification and the outbox rows inside the caller's
transaction, so a message exists exactly when the change that caused it was
committed; delivery happens afterwards in a background task with retries.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from zhaoshang.core import clock, datastamp
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require_status
from zhaoshang.notifications.models import Channel, Notification, OutboxMessage, OutboxStatus
from zhaoshang.notifications.portal_links import portal_url

MAX_ATTEMPTS = 6
logger = logging.getLogger(__name__)


def link_for(user, url: str) -> str:
    """The link a message to ``user`` carries: an enterprise user never gets a staff page
    (it would answer 403) but its portal page, or the portal's home (``portal_links``)."""
    if not url or not _is_enterprise_user(user):
        return url
    return portal_url(url)


def _is_enterprise_user(user) -> bool:
    # An enterprise's contact is attached to its enterprise: known without a query (a
    # message to a hundred handlers must not ask a hundred times). Roles already read for
    # this instance are asked too (an enterprise user not attached to one).
    if getattr(user, "enterprise_id", None):
        return True
    cached = getattr(user, "_role_cache", None)
    return cached is not None and cached == frozenset({"enterprise"})


def notify(
    recipients: Iterable, verb: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Queue a message for each distinct, active recipient; returns the notifications.
    An enterprise user's link is its portal page (``link_for``)."""
    seen: set[int] = set()
    created: list[Notification] = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        note = Notification(
            recipient=user, verb=verb, title=title[:200], body=body, url=link_for(user, url)
        )
        note._email = user.email
        created.append(note)
    if not created:
        return created
    now = clock.now()  # (the moment each row is written at and due from)
    datastamp.written_for({note.recipient.district_id for note in created})
    Notification.objects.bulk_create(created)
    outbox = [
        OutboxMessage(
            notification=note, channel=Channel.EMAIL, address=note._email, next_attempt_at=now
        )
        for note in created
        if note._email
    ]
    if outbox:
        OutboxMessage.objects.bulk_create(outbox)
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
            note = Notification(
                recipient=user, verb=verb, title=title[:200], body=body, url=link_for(user, url)
            )
            note._email = user.email
            notes.append(note)
    datastamp.written_for({note.recipient.district_id for note in notes})
    Notification.objects.bulk_create(notes, batch_size=1000)
    now = clock.now()
    outbox = [
        OutboxMessage(
            notification=note, channel=Channel.EMAIL, address=note._email, next_attempt_at=now
        )
        for note in notes
        if note._email
    ]
    OutboxMessage.objects.bulk_create(outbox, batch_size=1000)
    if outbox:
        transaction.on_commit(_enqueue_delivery)
    return len(notes)


def email_address(
    sender, address: str, verb: str, title: str, body: str = "", url: str = ""
) -> Notification:
    """An e-mail to an address that has no account yet (an invitation): queued in the
    outbox like any message, and kept as a read notification of ``sender``, the person
    who caused it (their inbox shows what was sent, and to whom)."""
    now = clock.now()
    note = Notification.objects.create(
        recipient=sender, verb=verb, title=title[:200], body=body, url=url, read_at=now
    )
    OutboxMessage.objects.create(
        notification=note, channel=Channel.EMAIL, address=address, next_attempt_at=now
    )
    transaction.on_commit(_enqueue_delivery)
    return note


def _enqueue_delivery() -> None:
    from zhaoshang.notifications.tasks import deliver_outbox  # tasks imports this module

    try:
        deliver_outbox.enqueue()
    except Exception:  # the broker being down must not break the user's request
        logger.warning("could not enqueue outbox delivery", exc_info=True)


def mark_read(user, notification_ids: Iterable[int] | QuerySet | None = None) -> int:
    """Mark the person's unread messages (all, or those of ``notification_ids``: ids, or a
    query of notifications, read as a subquery) read in one UPDATE; returns how many."""
    qs = Notification.objects.visible_to(user).unread()
    if isinstance(notification_ids, QuerySet):
        qs = qs.filter(pk__in=notification_ids.values("pk"))
    elif notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())


# A sweep claims a batch for this long; should it die mid-way, the rows fall due again after.
CLAIM_SECONDS = 600
BATCH_SIZE = 200


def deliver_pending(
    now: datetime.datetime | None = None, limit: int | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """The outbox sweep: deliver every due message, batch after batch, until none is due (or
    ``limit`` messages were tried). A failure is retried with exponential back-off (2, 4, 8 …
    minutes) up to ``MAX_ATTEMPTS``, then the message is failed with its reason.

    Two sweeps running at once never send the same message: each claims its batch with a
    conditional UPDATE (``claim`` set only where the row is still pending and due), which
    PostgreSQL re-checks after waiting for a concurrent writer's lock and SQLite runs one
    writer at a time. Returns how many messages were sent."""
    sent = tried = 0
    while limit is None or tried < limit:
        moment = now or clock.now()
        size = batch_size if limit is None else min(batch_size, limit - tried)
        token, batch = _claim_batch(moment, size)
        if token is None:
            break  # nothing due
        if not batch:
            continue  # another sweep took these rows first: look again
        tried += len(batch)
        batch_sent, transport_down = _deliver_batch(batch, token, moment)
        sent += batch_sent
        if transport_down:
            break  # every row of the batch was put back with its back-off; try next sweep
    return sent


def _claim_batch(now: datetime.datetime, size: int) -> tuple[str | None, list[OutboxMessage]]:
    """Read the first ``size`` due rows and claim them (the conditional UPDATE re-checks that
    each is still pending and due). When it claimed them all, they are this sweep's as read;
    else another sweep took some first, and only the rows holding this claim are kept."""
    due = OutboxMessage.objects.filter(models_q_due(now))
    batch = list(due.select_related("notification").order_by("id")[:size])
    if not batch:
        return None, []
    token = secrets.token_hex(16)
    lease = now + datetime.timedelta(seconds=CLAIM_SECONDS)
    ids = [message.pk for message in batch]
    claimed = due.filter(pk__in=ids).update(claim=token, next_attempt_at=lease)
    if claimed < len(batch):
        batch = list(
            OutboxMessage.objects.filter(pk__in=ids, claim=token)
            .select_related("notification")
            .order_by("id")
        )
    for message in batch:
        message.claim, message.next_attempt_at = token, lease
    return token, batch


def _deliver_batch(
    batch: list[OutboxMessage], token: str, now: datetime.datetime
) -> tuple[int, bool]:
    """Send a claimed batch over one connection; (sent, whether the transport is down)."""
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:  # noqa: BLE001 - the mail server is down: every row waits
        for message in batch:
            _record_failure(message, now, exc)
        return 0, True
    delivered: list[OutboxMessage] = []
    try:
        for message in batch:
            try:
                _deliver(message, connection)
            except Exception as exc:  # noqa: BLE001 - any transport error is retried
                _record_failure(message, now, exc)
                # A broken connection would fail every later message: open a fresh one.
                with contextlib.suppress(Exception):
                    connection.close()
                continue
            delivered.append(message)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
        # The batch's sent rows are marked in one statement (even if a send raised past us).
        OutboxMessage.objects.filter(pk__in=[m.pk for m in delivered]).update(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            claim="",
            next_attempt_at=None,
        )
    return len(delivered), False


def _record_failure(message: OutboxMessage, now: datetime.datetime, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = (str(exc) or type(exc).__name__)[:2000]
    message.claim = ""
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + datetime.timedelta(minutes=2**message.attempts)
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "claim"])


def retry_message(actor, message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the outbox for another round of attempts (an
    administrator's button on the operations page); the sweep delivers it."""
    with transaction.atomic():
        locked = lock_for_update(message)
        require_status(
            locked, OutboxStatus.FAILED, message=_("Only a failed message can be retried.")
        )
        locked.status = OutboxStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.claim = ""
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "claim"])
        recipient = locked.notification.recipient
        if recipient.district_id is not None:
            log_event(
                actor,
                "outbox.retried",
                recipient.district,
                _("Message to %(address)s queued again") % {"address": locked.address},
                message=locked.pk,
            )
        transaction.on_commit(_enqueue_delivery)
    return locked


def models_q_due(now):
    """Pending rows due now: never tried, or their next attempt has come — two ranges of
    the (status, next_attempt_at) index, however many rows wait for later."""
    pending = OutboxStatus.PENDING
    return Q(status=pending, next_attempt_at__isnull=True) | Q(
        status=pending, next_attempt_at__lte=now
    )


def _deliver(message: OutboxMessage, connection=None) -> None:
    note = message.notification
    if message.channel == Channel.EMAIL:
        body = note.body
        if note.url:
            body = f"{body}\n\n{note.url}".strip()
        send_mail(
            note.title,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [message.address],
            connection=connection,
        )
        return
    raise RuntimeError(f"channel {message.channel} is not configured")
