"""The operations page of the demo city: the outbox as a district sees it in the morning, the
last run of each scheduled job, and a few API tokens of programs.

Built last, through the services: the demo's messages were written by ``notify`` (its staff
have e-mail addresses); the real sweep ``deliver_pending`` delivers them here with the demo's
e-mail backend (``zhaoshang.demo.mail``: keeping nothing, refusing a domain that does not exist), so
the one mistyped address fails through the real retries with the server's answer; the newest
few messages arrived after the last sweep and wait. Job runs are written by ``ops.schedule``
(run by ``load_demo``, removed by ``--reset``; a slot a scheduler recorded already is left as it is)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.test import override_settings
from django.utils import timezone

from zhaoshang.api.models import ApiToken, RevokeReason
from zhaoshang.api.services import issue_token, revoke_token
from zhaoshang.core.models import DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.notifications.models import Notification, OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import MAX_ATTEMPTS, deliver_pending
from zhaoshang.ops import schedule
from zhaoshang.ops.models import JobRun, RunStatus

if TYPE_CHECKING:
    from zhaoshang.demo.builder import DemoBuilder

DEMO_BACKEND = "zhaoshang.demo.mail.DemoEmailBackend"
#: The domain of the government staff's addresses (``<username>@<district code>.gov…``).
STAFF_DOMAIN = "gov.example.cn"
#: The domain one handler mistyped at registration (it cannot receive mail).
MISTYPED_DOMAIN = "gov.exmaple.cn"
#: The "run by" of the job runs the demo load records (``load_demo --reset`` removes them).
LOAD_HOST = "load_demo"
#: Messages written after the last sweep, waiting for the next one.
WAITING = 4


def staff_email(username: str, district_code: str, mistyped: bool = False) -> str:
    return f"{username}@{district_code}.{MISTYPED_DOMAIN if mistyped else STAFF_DOMAIN}"


def ops_counts(user_ids) -> dict[str, int]:
    outbox = OutboxMessage.objects.filter(notification__recipient_id__in=user_ids)
    return {
        "e-mails sent": outbox.filter(status=OutboxStatus.SENT).count(),
        "e-mails pending": outbox.filter(status=OutboxStatus.PENDING).count(),
        "e-mails failed": outbox.filter(status=OutboxStatus.FAILED).count(),
        "API tokens": ApiToken.objects.filter(user_id__in=user_ids).count(),
    }


class OpsBuilder:
    def __init__(self, builder: DemoBuilder):
        self.b = builder
        self.now = timezone.now()
        self.jobs = {job.name: job for job in schedule.jobs()}
        self.scan_figures: str = ""

    def build(self) -> None:
        self._nightly_jobs()
        self._outbox()
        self._morning_runs()
        self._tokens()

    # -- the outbox ---------------------------------------------------------------------------

    def _outbox(self) -> None:
        from zhaoshang.demo.reset import demo_users
        from zhaoshang.org.models import User

        ids = [w.district.pk for w in self.b.worlds]
        users = User.objects.filter(demo_users(ids)).values("pk")
        outbox = OutboxMessage.objects.filter(
            notification__recipient_id__in=users, status=OutboxStatus.PENDING
        )
        # A message is written with its notification (the demo dates notifications in the past).
        outbox.update(
            created_at=Subquery(
                Notification.objects.filter(pk=OuterRef("notification_id")).values("created_at")[:1]
            )
        )
        rows = list(outbox.order_by("id").values_list("pk", "address", "created_at"))
        if not rows:
            return
        refused = [pk for pk, address, _c in rows if MISTYPED_DOMAIN in address]
        waiting = [pk for pk, address, _c in rows[::-1] if MISTYPED_DOMAIN not in address][:WAITING]
        created = {pk: when for pk, _a, when in rows}
        # The sweeps: the first delivers everything but the newest few (they come after the last
        # sweep); the mistyped address is tried again with the back-off until it fails.
        first = self.now - datetime.timedelta(hours=3)
        if refused:
            first = min(first, max(created[pk] for pk in refused) + datetime.timedelta(seconds=40))
        moment = first
        # A message to the mistyped address written later (this morning's scan) is dated
        # just before the sweep that first tried it.
        self.b._backdate(
            OutboxMessage,
            {pk: first - datetime.timedelta(seconds=40) for pk in refused if created[pk] > first},
            "created_at",
        )
        with override_settings(EMAIL_BACKEND=DEMO_BACKEND):
            deliver_pending(now=moment, limit=len(rows) - len(waiting))
            for _attempt in range(MAX_ATTEMPTS):
                still = OutboxMessage.objects.filter(pk__in=refused, status=OutboxStatus.PENDING)
                due = still.order_by("next_attempt_at").values_list("next_attempt_at", flat=True)
                if not due:
                    break
                moment = max(moment, due[0])
                deliver_pending(now=moment, limit=len(refused))
        # Each message went out within the minute it was written (the sweep runs every minute);
        # the newest ones arrived after the last sweep and wait for the next.
        last_sweep = self._last_sweep_slot()
        sent = OutboxMessage.objects.filter(pk__in=created, status=OutboxStatus.SENT)
        stamps, moved = {}, {}
        for pk in sent.values_list("pk", flat=True):
            delay = datetime.timedelta(seconds=5 + pk * 7 % 50)
            stamps[pk] = min(created[pk] + delay, last_sweep)
            if created[pk] > stamps[pk]:  # written during this load, before the last sweep
                moved[pk] = stamps[pk] - datetime.timedelta(seconds=5)
        self.b._backdate(OutboxMessage, stamps, "sent_at")
        self.b._backdate(OutboxMessage, moved, "created_at")
        span = (self.now - last_sweep) / (len(waiting) + 1)
        self.b._backdate(
            OutboxMessage,
            {pk: last_sweep + span * (i + 1) for i, pk in enumerate(sorted(waiting))},
            "created_at",
        )

    def _last_sweep_slot(self) -> datetime.datetime:
        job = self.jobs.get("outbox_sweep")
        every = job.every if job else 60
        return (job or schedule.Job("", "", "", every=every)).latest_slot(
            self.now - datetime.timedelta(seconds=1)
        )

    # -- the scheduled jobs --------------------------------------------------------------------

    def _nightly_jobs(self) -> None:
        """The clean-up and the calendar check: the real jobs, run for their latest slot (what
        the calendar check tells the administrators is dated at its slot)."""
        from zhaoshang.ops.jobs import CALENDAR_VERB

        for name in ("cleanup", "calendar_check"):
            job = self.jobs.get(name)
            if job is None:
                continue
            slot = job.latest_slot(self.now)
            started = timezone.now()
            run = schedule.run_slot(job, slot)
            if run is None:
                continue  # a reload on the same day: the slot is recorded already
            self._at_slot(run, slot, seconds=1.4)
            Notification.objects.filter(verb=CALENDAR_VERB, created_at__gte=started).update(
                created_at=run.finished_at
            )

    def _morning_runs(self) -> None:
        # The morning's daily scan is the load's own (DemoBuilder._lights): recorded with what
        # it did.
        job = self.jobs.get("daily_scan")
        if job is not None:
            slot = job.latest_slot(self.now)
            run = schedule.claim(job, slot)
            if run is not None:
                run.status = RunStatus.SUCCEEDED
                run.result = f"{slot.astimezone(schedule.SHANGHAI).date()}: {self.b.scan_figures}"[
                    :300
                ]
                self._at_slot(run, slot, seconds=47.0)
        # The last outbox sweep: nothing was due but the messages written since.
        job = self.jobs.get("outbox_sweep")
        if job is not None:
            slot = self._last_sweep_slot()
            run = schedule.claim(job, slot)
            if run is not None:
                due = OutboxMessage.objects.filter(
                    status=OutboxStatus.PENDING, created_at__lte=slot, next_attempt_at__isnull=True
                ).count()
                with override_settings(EMAIL_BACKEND=DEMO_BACKEND):
                    sent = deliver_pending(now=slot, limit=due)
                pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
                run.status = RunStatus.SUCCEEDED
                run.result = f"sent {sent}, pending {pending}"
                self._at_slot(run, slot, seconds=0.3)

    @staticmethod
    def _at_slot(run: JobRun, slot: datetime.datetime, seconds: float) -> None:
        run.started_at = slot + datetime.timedelta(milliseconds=120)
        run.finished_at = run.started_at + datetime.timedelta(seconds=seconds)
        run.host = LOAD_HOST
        run.save(update_fields=["status", "result", "error", "started_at", "finished_at", "host"])

    # -- API tokens -----------------------------------------------------------------------------

    def _tokens(self) -> None:
        world = self.b.worlds[0]
        bureau = world.role_users[Role.BUREAU]
        admin = world.role_users[Role.ADMIN]
        park = world.role_users[Role.PARK]
        day = datetime.timedelta(days=1)
        ttl = datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
        # (user, name, issued days ago, last used days ago, revoked days ago)
        plan = [
            (bureau, "项目进度看板（旧）", 41, 12, None),  # expired, replaced below
            (bureau, "大数据局数据共享接口", 9, 1, None),
            (bureau, "招商地图测试脚本", 6, 5, 4),  # the admin revoked it: the key was shared
            (park, "园区招商大屏", 3, 0, None),
        ]
        for user, name, issued, used, revoked in plan:
            token, _key = issue_token(user, name, actor=user)
            when = self.b._at(self.b.today - issued * day)
            values = {"created_at": when, "expires_at": when + ttl}
            if used is not None:
                values["last_used_at"] = min(self.b._at(self.b.today - used * day), self.now)
            ApiToken.objects.filter(pk=token.pk).update(**values)
            events = {"api_token.issued": when}
            if revoked is not None:
                revoke_token(token, actor=admin, reason=RevokeReason.ADMIN)
                moment = self.b._at(self.b.today - revoked * day)
                ApiToken.objects.filter(pk=token.pk).update(revoked_at=moment)
                events["api_token.revoked"] = moment
            for verb, moment in events.items():
                DomainEvent.objects.filter(
                    verb=verb, object_id=token.pk, data__user=user.pk
                ).update(occurred_at=moment)
