"""Issued reports of the demo district (SPEC §12, §18): last month's summary (issued by the
bureau on the 6th), last quarter's bulletin (by the supervision office in the middle of the
next month) and last year's assessment report (in January, from the finished ledger), each
issued by ``reports.services.issue_report`` from the demo's data, with its three files.

Their PDFs (WeasyPrint: seconds of CPU each) are drawn by a process forked beside the load,
on the machine's other core, while the load goes on: the service stores a stand-in, and
``PdfsBeside.finish`` (the builder's last step, before the commit) writes each PDF over its
stand-in — the same bytes the service would have stored (``exports.to_pdf`` of the same
figures in the same language). The process is forked when the load starts (``DemoBuilder``),
its heap still small, and imports WeasyPrint then, while the load goes on: the reports,
issued last, wait only for their drawing."""

from __future__ import annotations

import contextlib
import multiprocessing
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import translation

from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, counter
from zhaoshang.demo.replay import moment
from zhaoshang.reports import exports, services
from zhaoshang.reports.choices import Kind, Period, default_period
from zhaoshang.reports.models import IssuedReport

# Who issues each report, so many days after its period's end (the monthly one on the 6th).
PLAN = ((Kind.ANNUAL, Role.SUPERVISOR, 20), (Kind.QUARTERLY, Role.SUPERVISOR, 15))
PLAN += ((Kind.MONTHLY, Role.BUREAU, 6),)


class ReportsBuilder(Part):
    """Issues the demo district's reports (last: they read the finished ledger and lights)."""

    def build(self) -> None:
        """Issue the reports, their PDFs drawn by the builder's ``pdfs`` if it has one (its
        ``finish()`` writes them)."""
        world, pdfs = self.worlds[0], self.builder.pdfs
        for kind, role, days_after in PLAN:
            period = Period(kind, default_period(kind, self.today))
            on = min(period.end + days_after * DAY, self.last)
            user = world.role_users[role]
            self.line.add(moment(on, 10), services.issue_report, user, kind, period, world.district)
        before = IssuedReport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with pdfs.drawing() if pdfs else contextlib.nullcontext():
            self.line.run()
        if pdfs:
            pdfs.reports = list(IssuedReport.objects.filter(pk__gt=before).order_by("pk"))


def _ready() -> None:
    """The drawing process's start: WeasyPrint imported (a third of a second of CPU, on the
    other core while the load goes on) before any PDF."""
    import weasyprint  # noqa: F401


def _draw(figures: dict, language: str) -> bytes:
    with translation.override(language):
        return exports.to_pdf(figures)


class PdfsBeside:
    """The reports' PDFs drawn by a forked process while the load goes on."""

    STAND_IN = b"%PDF-1.7\n% drawn beside the load: written over before the commit\n"

    @classmethod
    def start(cls) -> PdfsBeside | None:
        """A drawing process, where one can be forked and the files are on this disk."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        if not isinstance(default_storage, FileSystemStorage):
            return None
        return cls()

    def __init__(self):
        # Forked now, when the load starts: the process holds the settings and never touches
        # the load's database connection (the figures and the language come with each PDF).
        self.pool = multiprocessing.get_context("fork").Pool(1, initializer=_ready)
        self.drawn, self.reports = [], []

    @contextlib.contextmanager
    def drawing(self):
        """``exports.to_pdf`` answers a stand-in and sends the figures to be drawn."""
        to_pdf = exports.to_pdf

        def beside(figures: dict) -> bytes:
            language = translation.get_language()
            self.drawn.append(self.pool.apply_async(_draw, (figures, language)))
            return self.STAND_IN

        exports.to_pdf = beside
        try:
            yield
        finally:
            exports.to_pdf = to_pdf

    def finish(self) -> None:
        """Wait for the PDFs and write each over its report's stand-in."""
        try:
            if len(self.reports) != len(self.drawn):
                raise RuntimeError("the issued reports and the PDFs drawn do not match")
            for report, drawn in zip(self.reports, self.drawn, strict=True):
                path = Path(default_storage.path(report.pdf.name))
                if path.read_bytes() != self.STAND_IN:
                    raise RuntimeError(f"{path} is not the stand-in of a PDF being drawn")
                path.write_bytes(drawn.get())
        finally:
            self.pool.close()
            self.pool.join()


report_counts = counter(("issued reports", IssuedReport))
