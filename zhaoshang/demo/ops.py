"""The operations page of the demo city: the outbox as the morning finds it, the last run of
each scheduled job and a few API tokens of programs — all written by the product itself.

Built last. Every message of the history was written by ``notify`` under the replay's clock
(the staff have e-mail addresses); here the outbox sweep ``deliver_pending`` delivers them
minute by minute with the clock set to each sweep, through the demo's e-mail backend
(``zhaoshang.demo.mail``: keeping nothing, refusing a domain that does not exist), so the one
mistyped address fails through the real retries with the server's answer. The last sweep is
the scheduler's job (``ops.schedule``), recorded with the nightly jobs and the morning's
daily scan; what was written after it waits. Tokens are issued, used and revoked under the
clock. Job runs are removed by ``--reset``; a slot recorded already is left as it is.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections import Counter
from typing import TYPE_CHECKING

from django.db.models import F
from django.test import override_settings

from zhaoshang.api.authentication import ApiTokenAuthentication
from zhaoshang.api.models import ApiToken, RevokeReason
from zhaoshang.api.services import issue_token, revoke_token
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.notifications.models import OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import deliver_pending
from zhaoshang.ops import schedule
from zhaoshang.ops.models import JobRun, RunStatus

if TYPE_CHECKING:
    from zhaoshang.demo.builder import DemoBuilder

DEMO_BACKEND = "zhaoshang.demo.mail.DemoEmailBackend"
STAFF_DOMAIN = "gov.example.cn"  # of the staff's addresses (<username>@<district>.gov…)
MISTYPED_DOMAIN = "gov.exmaple.cn"  # one handler mistyped it at registration
LOAD_HOST = "load_demo"  # the "run by" of the job runs the load records (--reset removes them)
TOKENS = load("ops")["tokens"]
SECOND = datetime.timedelta(seconds=1)
# How long each job took (seconds), after its slot.
TOOK = {"cleanup": 1.4, "calendar_check": 0.9, "daily_scan": 47.0, "outbox_sweep": 0.3}


def staff_email(username: str, district_code: str, mistyped: bool = False) -> str:
    return f"{username}@{district_code}.{MISTYPED_DOMAIN if mistyped else STAFF_DOMAIN}"


def scan_moment(now: datetime.datetime) -> datetime.datetime:
    """When the morning's daily scan ran: its latest slot (just after it)."""
    job = next((j for j in schedule.jobs() if j.name == "daily_scan"), None)
    return min(job.latest_slot(now) + datetime.timedelta(milliseconds=120), now) if job else now


def ops_counts(user_ids) -> dict[str, int]:
    outbox = OutboxMessage.objects.filter(notification__recipient_id__in=user_ids)
    counts = Counter(outbox.values_list("status", flat=True))
    return {
        "e-mails sent": counts[OutboxStatus.SENT],
        "e-mails pending": counts[OutboxStatus.PENDING],
        "e-mails failed": counts[OutboxStatus.FAILED],
        "API tokens": ApiToken.objects.filter(user_id__in=user_ids).count(),
    }


class OpsBuilder:
    def __init__(self, builder: DemoBuilder):
        self.b, self.now = builder, clock.now()
        self.jobs = {job.name: job for job in schedule.jobs()}

    def build(self) -> None:
        with override_settings(EMAIL_BACKEND=DEMO_BACKEND):
            for name in ("cleanup", "calendar_check"):
                self._run(name, self._slot(name, self.now))
            self._run("daily_scan", self._slot("daily_scan", self.now), self.b.scan_figures)
            self._outbox()
        self._tokens()

    def _slot(self, name: str, moment: datetime.datetime):
        job = self.jobs.get(name)
        return job.latest_slot(moment) if job else None

    def _run(self, name: str, slot, result: str | None = None) -> None:
        """The scheduler's run of a job for its slot, with the clock at its start and end
        (``result``: what a run done by the load itself did)."""
        started = slot + datetime.timedelta(milliseconds=120) if slot else None
        with clock.at(started or self.now):
            run = schedule.claim(self.jobs[name], slot) if slot else None
        if run is None:
            return  # the job is off, or the slot was recorded already (a reload)
        with clock.at(started + datetime.timedelta(seconds=TOOK[name])):
            if result is None:
                schedule.execute(self.jobs[name], run)
            else:
                run.status, run.result, run.finished_at = RunStatus.SUCCEEDED, result, clock.now()
                run.save(update_fields=["status", "result", "finished_at"])
        JobRun.objects.filter(pk=run.pk).update(host=LOAD_HOST)

    # -- the outbox ---------------------------------------------------------------------------

    def _outbox(self) -> None:
        """The sweeps, played in time order up to the last one (the scheduler's job run)."""
        from zhaoshang.demo.reset import demo_users
        from zhaoshang.org.models import User

        ids = [w.district.pk for w in self.b.worlds]
        users = User.objects.filter(demo_users(ids)).values("pk")
        outbox = OutboxMessage.objects.filter(
            notification__recipient_id__in=users, status=OutboxStatus.PENDING, attempts=0
        )
        rows = list(outbox.values_list("pk", "created_at", "address"))
        if not rows:
            return
        # The parts of the history were replayed one after the other, so the outbox holds
        # the messages of every day at once: a message is due from the moment it was written,
        # and each sweep sees those written by then.
        outbox.update(next_attempt_at=F("created_at"))
        last = self._slot("outbox_sweep", max(c for _pk, c, _a in rows) - SECOND)
        sweeps = Counter(self._next_slot(c) for _pk, c, _a in rows)
        refused = {pk for pk, _c, address in rows if MISTYPED_DOMAIN in address}
        # The sweeps that try a refused message (the first time, then each retry).
        refusing = {self._next_slot(c) for pk, c, _a in rows if pk in refused}
        heap = sorted(s for s in sweeps if s < last)
        while heap:
            slot = heapq.heappop(heap)
            with clock.at(slot + datetime.timedelta(seconds=TOOK["outbox_sweep"])):
                deliver_pending(limit=sweeps[slot])
            if slot not in refusing:
                continue
            retries = OutboxMessage.objects.filter(pk__in=refused, status=OutboxStatus.PENDING)
            for when in retries.exclude(attempts=0).values_list("next_attempt_at", flat=True):
                again = self._next_slot(when)
                if again < last and again not in sweeps:
                    heapq.heappush(heap, again)
                sweeps[again] += 1
                refusing.add(again)
        self._run("outbox_sweep", last)
        # What was written after the last sweep waits for the next one, due now.
        outbox.filter(next_attempt_at__gt=last).update(next_attempt_at=None)

    def _next_slot(self, moment: datetime.datetime) -> datetime.datetime:
        """The first sweep at or after ``moment``."""
        slot = self._slot("outbox_sweep", moment)
        return slot if slot == moment else slot + datetime.timedelta(seconds=60)

    # -- API tokens ---------------------------------------------------------------------------

    def _tokens(self) -> None:
        """Tokens of programs, issued, used and revoked on their days (one expired since)."""
        world, rng = self.b.worlds[0], random.Random(len(TOKENS))
        line = Timeline(self.b.today, now=self.now)
        for role, name, *ago in TOKENS:
            user, admin = world.role_users[Role(role)], world.role_users[Role.ADMIN]
            issued, used, revoked = (
                None if d is None else office_time(rng, self.b.today - datetime.timedelta(days=d))
                for d in ago
            )
            token = {"user": user, "name": name}
            line.add(issued, self._issue, token)
            if used is not None:  # (today's use: a few minutes ago)
                line.add(min(used, self.now - datetime.timedelta(minutes=7)), self._use, token)
            if revoked is not None:
                line.add(revoked, self._revoke, token, admin)
        line.run()

    @staticmethod
    def _issue(token: dict) -> None:
        token["row"], token["key"] = issue_token(token["user"], token["name"], actor=token["user"])

    @staticmethod
    def _use(token: dict) -> None:
        ApiTokenAuthentication().authenticate_credentials(token["key"])

    @staticmethod
    def _revoke(token: dict, admin) -> None:
        revoke_token(token["row"], actor=admin, reason=RevokeReason.ADMIN)
