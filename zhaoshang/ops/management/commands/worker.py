"""``manage.py worker``: the one worker command, whatever the task backend.

- ``TASKS_BACKEND=database``: django-tasks-db's worker loop on the queues of the backend.
- ``TASKS_BACKEND=rq``: an RQ worker inside this Django process (so every job runs with Django
  set up), with django-tasks-rq's job class, on the backend's queues, connected to
  ``REDIS_URL``.
- ``TASKS_BACKEND=immediate``: tasks run where they are enqueued; there is nothing to work on.

The worker survives its broker going away: a worker loop that ends on a lost connection is
started again after a back-off (1, 2, 4 … 30 s) instead of exiting, so Redis or the database
can restart under it. SIGTERM/SIGINT stop it after the task in hand.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger("zhaoshang.ops.worker")

MAX_BACKOFF = 30.0


class Command(BaseCommand):
    help = "Run the background worker for the configured task backend (TASKS_BACKEND)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            metavar="NAME",
            help="a queue to work on (repeat for several; default: the backend's queues)",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="run what is queued now, then exit (tests, cron)",
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="exit after this many tasks"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="database backend: seconds between polls when idle (default 1)",
        )
        parser.add_argument(
            "--worker-class",
            default=None,
            help="RQ backend: the worker class (default rq.Worker, one forked process per "
            "task; rq.SimpleWorker runs tasks in this process)",
        )
        parser.add_argument("--name", default=None, help="the worker's name (default: random)")

    def handle(self, *args, queues=None, burst=False, max_tasks=None, **options):
        from django_tasks import task_backends

        if max_tasks is not None and max_tasks < 1:
            raise CommandError("--max-tasks must be 1 or more.")
        backend = task_backends["default"]
        kind = type(backend).__module__.split(".")[0]
        configured = sorted(backend.queues) if backend.queues else []
        queues = queues or configured or ["default"]
        unknown = [q for q in queues if configured and q not in configured]
        if unknown:
            raise CommandError(
                f"Unknown queue {', '.join(unknown)}: the backend's queues are "
                f"{', '.join(configured)}."
            )
        self._configure_logging(options["verbosity"])
        if kind == "django_tasks_db":
            run = self._database_loop(queues, burst, max_tasks, options)
        elif kind == "django_tasks_rq":
            run = self._rq_loop(queues, burst, max_tasks, options)
        else:
            self.stdout.write(
                f"The task backend {type(backend).__name__} runs tasks where they are "
                "enqueued: no worker is needed."
            )
            return
        self._supervise(run, once=burst or max_tasks is not None)

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        if verbosity >= 2:
            level = logging.DEBUG
        for name in ("zhaoshang.ops.worker", "django_tasks_db", "django_tasks", "rq.worker"):
            logging.getLogger(name).setLevel(level)
        if not logging.getLogger().handlers and not logger.handlers:
            logger.addHandler(logging.StreamHandler(self.stderr))

    def _supervise(self, run, once: bool) -> None:
        """Run the worker loop. ``run()`` returns True when the loop ended as asked (a stop
        request, the end of a burst or of --max-tasks) and False or an exception when it ended
        on an error (a lost broker or database): a long-running worker then starts it again
        after a back-off; a bounded one (--burst, --max-tasks) fails with the error."""
        backoff = 1.0
        self._stopping = False
        while True:
            try:
                if run() or once:
                    return
                problem = "the worker loop ended unexpectedly"
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:  # noqa: BLE001 - the broker or database went away
                if once:
                    raise CommandError(f"The worker stopped: {exc}") from exc
                problem = str(exc) or type(exc).__name__
            logger.warning("%s; starting again in %.0f s", problem, backoff)
            self._sleep(backoff)
            if self._stopping:
                return
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _sleep(self, seconds: float) -> None:
        def stop(signum, frame):
            self._stopping = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            deadline = time.monotonic() + seconds
            while not self._stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, deadline - time.monotonic()))
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _database_loop(self, queues, burst, max_tasks, options):
        from django.db import close_old_connections
        from django.utils.crypto import get_random_string
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
        from django_tasks_db.management.commands.db_worker import Worker

        def run() -> bool:
            close_old_connections()
            worker = Worker(
                queue_names=queues,
                interval=options["interval"],
                batch=burst,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=not burst,
                max_tasks=max_tasks,
                worker_id=options["name"] or get_random_string(32),
                excluded_queue_names=[],
            )
            worker.configure_signals()
            try:
                worker.run()
            finally:
                worker.reset_signals()
            return True  # the loop ends only when asked to (or on an exception)

        return run

    def _rq_loop(self, queues, burst, max_tasks, options):
        from django_rq.utils import reset_db_connections
        from django_rq.workers import get_worker

        level = "DEBUG" if options["verbosity"] >= 2 else "INFO"
        if options["verbosity"] == 0:
            level = "WARNING"

        def run() -> bool:
            worker = get_worker(
                *queues,
                job_class="django_tasks_rq.backend.Job",
                worker_class=options["worker_class"],
                name=options["name"],
            )
            if not _runs_in_process(worker):
                reset_db_connections()  # no connection may cross the fork into a job
            worker.work(burst=burst, max_jobs=max_tasks, logging_level=level)
            # work() returns on a stop request, at the end of a burst or of max_jobs — or
            # after an unexpected error (Redis gone between two jobs): then start again.
            return bool(
                getattr(worker, "_shutdown_requested_date", None)
                or getattr(worker, "_stop_requested", False)
            )

        return run


def _runs_in_process(worker) -> bool:
    from rq.worker import SimpleWorker

    return isinstance(worker, SimpleWorker)
