"""``manage.py scheduler``: run the periodic jobs at their times (see ``ops.schedule``).

Long-running by default (one process is enough; a second one is harmless: each slot is run
once, by whichever claims it first). ``--once`` runs what is due now and exits — for tests,
and for operators who prefer a cron line (``* * * * * manage.py scheduler --once``).
``--list`` prints the plan.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils import timezone

from zhaoshang.core import clock as core_clock
from zhaoshang.ops import schedule
from zhaoshang.ops.models import JobRun, RunStatus

logger = logging.getLogger("zhaoshang.ops.scheduler")

MAX_BACKOFF = 30.0


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (daily scan, outbox sweep, calendar check, clean-up) at their "
        "configured times, Asia/Shanghai."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now and exit")
        parser.add_argument(
            "--job",
            action="append",
            dest="only",
            metavar="NAME",
            help="only this job (repeat for several)",
        )
        parser.add_argument(
            "--list", action="store_true", dest="plan", help="print the jobs and their times"
        )

    def handle(self, *args, once=False, only=None, plan=False, **options):
        names = {job.name for job in schedule.jobs()}
        unknown = sorted(set(only or ()) - names)
        if unknown:
            raise CommandError(
                f"Unknown job {', '.join(unknown)}: the jobs are {', '.join(sorted(names))}."
            )
        only_set = set(only) if only else None
        if plan:
            self._list(only_set)
            return
        if once:
            self._once(only_set)
            return
        if not logging.getLogger().handlers and not logger.handlers:
            logger.addHandler(logging.StreamHandler(self.stderr))
            logger.setLevel(logging.INFO)
        plan = [job for job in schedule.jobs() if only_set is None or job.name in only_set]
        self.stdout.write("scheduler: " + "; ".join(f"{job.name} {job.when}" for job in plan))
        self.stdout.flush()
        Loop(only_set).run()

    def _list(self, only):
        now = core_clock.now()
        last = schedule.last_runs()
        for job in schedule.jobs():
            if only and job.name not in only:
                continue
            run = last.get(job.name)
            self.stdout.write(
                f"{job.name}: {job.when}; next "
                f"{timezone.localtime(job.next_slot(now)):%Y-%m-%d %H:%M:%S}; last "
                + (
                    f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M:%S} {run.status}"
                    if run
                    else "never"
                )
            )

    def _once(self, only):
        failed = []

        def report(job, slot, run):
            when = f"{timezone.localtime(slot):%Y-%m-%d %H:%M:%S}"
            if run is None:
                self.stdout.write(f"{job.name} {when}: already run")
            elif run.status == RunStatus.FAILED:
                failed.append(job.name)
                self.stdout.write(f"{job.name} {when}: failed: {run.error}")
            else:
                self.stdout.write(f"{job.name} {when}: {run.result}")

        runs = schedule.run_due(only=only, report=report)
        if not runs and not failed:
            self.stdout.write("nothing due")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")


class Loop:
    """The long-running scheduler: every second, each job whose latest slot it has not yet
    handled is claimed (one INSERT) and, when this process won the claim, run in a thread of
    its own — a long daily scan does not hold up the outbox sweep, and a job is never run
    twice at once by one process. A lost database is waited out with a back-off; SIGTERM or
    SIGINT stop it after the running jobs finish (a second signal stops at once)."""

    def __init__(self, only=None, inline=False, clock=None, sleep=None):
        self.only = only
        # Tests: run jobs in the loop's own thread and leave its database connection alone
        # (it holds the test's transaction).
        self.inline = inline
        self.clock = clock or core_clock.now
        self.sleep = sleep or time.sleep
        self.threads: dict[str, threading.Thread] = {}
        self.handled: dict[str, object] = {}
        self.stopping = False

    def stop(self, signum=None, frame=None):
        if self.stopping:
            raise SystemExit(1)
        logger.warning("scheduler: stopping after the running jobs")
        self.stopping = True

    def run(self, max_ticks: int | None = None) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        logger.info(
            "scheduler: %s",
            "; ".join(f"{job.name} {job.when}" for job in schedule.jobs()),
        )
        backoff = 1.0
        ticks = 0
        while not self.stopping and (max_ticks is None or ticks < max_ticks):
            ticks += 1
            try:
                self.tick()
                backoff = 1.0
                self.sleep(1.0)
            except Exception as exc:  # noqa: BLE001 - the database went away: wait for it
                logger.warning("scheduler: %s; trying again in %.0f s", exc, backoff)
                self._fresh_connection()
                self.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        for thread in list(self.threads.values()):
            thread.join()

    def _fresh_connection(self) -> None:
        """Drop a broken or aged connection (the next query opens a new one)."""
        if not self.inline:
            close_old_connections()

    def tick(self) -> None:
        self._fresh_connection()
        now = self.clock()
        for job in schedule.jobs():
            if self.only and job.name not in self.only:
                continue
            thread = self.threads.get(job.name)
            if thread is not None and thread.is_alive():
                continue
            slot = job.latest_slot(now)
            if self.handled.get(job.name) == slot:
                continue
            run = schedule.claim(job, slot)
            self.handled[job.name] = slot
            if run is None:
                continue  # run already, by this or another scheduler
            if self.inline:
                schedule.execute(job, run)
                continue
            thread = threading.Thread(
                target=_execute_in_thread, args=(job, run), name=f"job-{job.name}", daemon=True
            )
            self.threads[job.name] = thread
            thread.start()


def _execute_in_thread(job: schedule.Job, run: JobRun) -> None:
    try:
        schedule.execute(job, run)
    except Exception:  # noqa: BLE001 - recording the end failed (the database went away)
        logger.exception("scheduler: could not record the end of %s", job.name)
    finally:
        connections.close_all()  # this thread's connections
