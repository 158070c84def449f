"""The operations page of the demo city, built last: the outbox as the morning finds it, the
last run of each scheduled job and a few API tokens of programs, all written by the product.

The outbox sweep ``deliver_pending`` delivers the history's messages minute by minute under
the clock, through the demo's e-mail backend (``demo.mail``: keeping nothing, refusing a
domain that does not exist), so the one mistyped address fails through the real retries. The
last sweep is the scheduler's job (``ops.schedule``), recorded with the nightly jobs and the
daily scan; what was written after it waits. Job runs are removed by ``--reset``.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections import Counter
from typing import TYPE_CHECKING

from django.db import connection
from django.test import override_settings

from zhaoshang.api.authentication import ApiTokenAuthentication
from zhaoshang.api.models import ApiToken, RevokeReason
from zhaoshang.api.services import issue_token, revoke_token
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.mail import receives_mail
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.notifications.models import Channel, OutboxMessage, OutboxStatus
from zhaoshang.notifications.services import deliver_pending
from zhaoshang.ops import schedule
from zhaoshang.ops.models import JobRun, RunStatus

if TYPE_CHECKING:
    from zhaoshang.demo.builder import DemoBuilder

DEMO_BACKEND = "zhaoshang.demo.mail.DemoEmailBackend"
STAFF_DOMAIN = "gov.example.cn"  # of the staff's addresses (<username>@<district>.gov…)
MISTYPED_DOMAIN = "gov.exmaple.cn"  # one handler mistyped it at registration
LOAD_HOST = "load_demo"  # the "run by" of the job runs the load records (--reset removes them)
OPS = load("ops")  # the tokens; how long each job took (seconds) after its slot
SECOND, TICK = datetime.timedelta(seconds=1), datetime.timedelta(microseconds=1)


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


class _Sweeps:
    """``deliver_pending(limit=…)`` at the clock's moment, for the thousands of sweeps of the
    history, as its outcome: a sweep takes the first ``limit`` messages due by then in id
    order and, through the demo's backend, sends each e-mail never tried to an address that
    receives mail, so such messages it only marks sent at its moment (gathered, written in
    one statement run before the next real sweep). A sweep that takes any other message (a
    retry, a refused address, another channel) runs ``deliver_pending`` itself."""

    EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)

    def __init__(self):
        rows = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        self.waiting: list[tuple[datetime.datetime, int]] = []  # (due from, id): a heap
        self.ready: list[int] = []  # the ids due by the last sweep: a heap
        self.other: set[int] = set()  # not plainly sent by the backend
        for pk, attempts, due, channel, address in rows.values_list(
            "pk", "attempts", "next_attempt_at", "channel", "address"
        ):
            self.waiting.append((due or self.EARLIEST, pk))
            if attempts or channel != Channel.EMAIL or not receives_mail(address):
                self.other.add(pk)
        heapq.heapify(self.waiting)
        self.sent: list[tuple[datetime.datetime, int]] = []  # (sent at, id) not written yet

    def deliver(self, limit: int) -> None:
        now = clock.now()
        while self.waiting and self.waiting[0][0] <= now:
            heapq.heappush(self.ready, heapq.heappop(self.waiting)[1])
        taken = [heapq.heappop(self.ready) for _n in range(min(limit, len(self.ready)))]
        others = [pk for pk in taken if pk in self.other]
        if not others:
            self.sent.extend((now, pk) for pk in taken)
            return
        self.flush()
        deliver_pending(limit=limit)
        again = OutboxMessage.objects.filter(pk__in=others, status=OutboxStatus.PENDING)
        for pk, due in again.values_list("pk", "next_attempt_at"):
            heapq.heappush(self.waiting, (due or self.EARLIEST, pk))

    def flush(self) -> None:
        """Write the gathered sweeps' outcome (``_deliver_batch``'s for a sent message)."""
        table = connection.ops.quote_name(OutboxMessage._meta.db_table)
        sql = (
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
            "claim = '', next_attempt_at = NULL WHERE id = %s AND status = %s"
        )
        adapt = connection.ops.adapt_datetimefield_value
        params = [(OutboxStatus.SENT, adapt(at), pk, OutboxStatus.PENDING) for at, pk in self.sent]
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
        self.sent = []


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
        return self.jobs[name].latest_slot(moment) if name in self.jobs else None

    def _next_sweep(self, moment: datetime.datetime) -> datetime.datetime:
        """The first sweep at or after ``moment``."""
        return self.jobs["outbox_sweep"].next_slot(moment - TICK)

    def _run(self, name: str, slot, result: str | None = None) -> None:
        """The scheduler's run of a job for its slot, with the clock at its start and end
        (``result``: what a run done by the load itself did)."""
        started = slot + datetime.timedelta(milliseconds=120) if slot else None
        with clock.at(started or self.now):
            run = schedule.claim(self.jobs[name], slot) if slot else None
        if run is None:
            return  # the job is off, or the slot was recorded already (a reload)
        with clock.at(started + datetime.timedelta(seconds=OPS["took"][name])):
            if result is None:
                schedule.execute(self.jobs[name], run)
            else:
                run.status, run.result, run.finished_at = RunStatus.SUCCEEDED, result, clock.now()
                run.save(update_fields=["status", "result", "finished_at"])
        JobRun.objects.filter(pk=run.pk).update(host=LOAD_HOST)

    # -- the outbox ---------------------------------------------------------------------------

    def _outbox(self) -> None:
        """The sweeps, played in time order up to the last one (the scheduler's job run):
        one each minute that has messages (a message is due from when it was written), as
        many as it has (its ``limit``), and the retries of the refused ones after the sweeps
        that tried them."""
        from zhaoshang.demo.reset import demo_users
        from zhaoshang.org.models import User

        users = User.objects.filter(demo_users([w.district.pk for w in self.b.worlds]))
        outbox = OutboxMessage.objects.filter(
            notification__recipient_id__in=users.values("pk"), status=OutboxStatus.PENDING
        )
        rows = list(outbox.filter(attempts=0).values_list("pk", "created_at", "address"))
        if not rows or "outbox_sweep" not in self.jobs:
            return
        last = self._slot("outbox_sweep", max(c for _pk, c, _a in rows) - SECOND)
        slots = [(pk, self._next_sweep(c), address) for pk, c, address in rows]
        sweeps = Counter(slot for _pk, slot, _a in slots)
        refused = {pk for pk, _s, address in slots if MISTYPED_DOMAIN in address}
        refusing = {slot for pk, slot, _a in slots if pk in refused}
        heap = sorted(s for s in sweeps if s < last)
        sweep = _Sweeps()
        while heap:
            slot = heapq.heappop(heap)
            with clock.at(slot + datetime.timedelta(seconds=OPS["took"]["outbox_sweep"])):
                sweep.deliver(limit=sweeps[slot])
            if slot not in refusing:
                continue
            retries = outbox.filter(pk__in=refused).exclude(attempts=0)
            for when in retries.values_list("next_attempt_at", flat=True):
                again = self._next_sweep(when)
                if again < last and again not in sweeps:
                    heapq.heappush(heap, again)
                sweeps[again] += 1
                refusing.add(again)
        sweep.flush()
        self._run("outbox_sweep", last)

    # -- API tokens ---------------------------------------------------------------------------

    def _tokens(self) -> None:
        """Tokens of programs, issued, used and revoked on their days (one expired since)."""
        world, rng = self.b.worlds[0], random.Random(len(OPS["tokens"]))
        line, admin = Timeline(self.b.today, now=self.now), world.role_users[Role.ADMIN]
        for role, name, *ago in OPS["tokens"]:
            issued, used, revoked = (
                None if d is None else office_time(rng, self.b.today - datetime.timedelta(days=d))
                for d in ago
            )
            token = {"user": world.role_users[Role(role)], "name": name}
            line.add(issued, self._token, token, "issue")
            if used is not None:  # (today's use: a few minutes ago)
                line.add(min(used, self.now - datetime.timedelta(minutes=7)), self._token, token)
            if revoked is not None:
                line.add(revoked, self._token, token, "revoke", admin)
        line.run()

    @staticmethod
    def _token(token: dict, step: str = "use", admin=None) -> None:
        if step == "issue":
            token["row"], token["key"] = issue_token(token["user"], token["name"], token["user"])
        elif step == "use":
            ApiTokenAuthentication().authenticate_credentials(token["key"])
        else:
            revoke_token(token["row"], actor=admin, reason=RevokeReason.ADMIN)
