"""The departments' assessment of the demo city (SPEC §12, §18; the work plan's 年终考核 and
目标绩效考核).

Last year is finished: base score 100, the supervision office's hand entries — deductions and
additions, each with its evidence PDF — and two objections, one upheld (its counter-entry
cancels the points) and one rejected, answered before the year was finished in January.
This year is open, with a hand entry or two and one objection waiting for the supervision
office. The rule entries the other builders' scans wrote (overdue cases, missed milestones
…) count as well. The second district has this year's settings only.

Replayed through ``assessment.scoring`` on a ``replay.Timeline`` with the clock set to each
step's moment; the entries and objections are in ``data/assessment.json``. Runs after every
other builder (the year is finished after every entry of that year was written).
"""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max, Q
from django.utils import timezone

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, LedgerEntry, Objection
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.complaints import acting_for, chain
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.replay import Timeline, moment, office_time

SEED = 2026_14
DATA = json.loads((Path(__file__).parent / "data" / "assessment.json").read_text("utf-8"))
ONE_DAY = datetime.timedelta(days=1)


def _pdf(name: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(list(lines)), content_type="application/pdf")


class AssessmentBuilder:
    """Adds the assessment to the worlds a DemoBuilder built (after every other builder)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.line = Timeline(self.today)
        self.entries: dict[str, LedgerEntry] = {}

    def build(self) -> None:
        this = self.today.year
        for index, world in enumerate(self.builder.worlds):
            supervisor = world.role_users.get(Role.SUPERVISOR)
            if supervisor is None:
                continue
            years = (this - 1, this) if index == 0 else (this,)
            for year in years:
                start = office_time(self.rng, datetime.date(year, 1, 5), late=0)
                self.line.add(
                    start, scoring.set_base_score, supervisor, world.district, year, "100"
                )
            if index == 0:
                self._demo_district(world, supervisor)
        self.line.run()
        for entry in LedgerEntry.objects.filter(evidence_file__gt=""):
            self.builder.written_files.append(entry.evidence_file.name)
        for objection in Objection.objects.filter(file__gt=""):
            self.builder.written_files.append(objection.file.name)

    # -- helpers --------------------------------------------------------------------------

    def _entries(self, world, supervisor, year: int, rows) -> None:
        for row in rows:
            department = world.departments.get(row["department"])
            if department is None:
                continue
            on = min(datetime.date(year, row["month"], row["day"]), self.today - ONE_DAY)
            lines = (row["title"], f"{department.name} {on.isoformat()}", row["reason"][:20])
            key = f"{year}{row['department']}{row['points']}"

            def add(row=row, department=department, on=on, lines=lines, key=key):
                self.entries.setdefault(
                    key,
                    scoring.add_hand_entry(
                        supervisor,
                        department=department,
                        year=year,
                        points=row["points"],
                        reason=row["reason"],
                        evidence=_pdf(row["file"], *lines),
                        occurred_on=on,
                    ),
                )

            self.line.add(office_time(self.rng, on), add)

    def _objection(self, world, supervisor, entry_of, text, filed, answered=None, with_file=False):
        """A department objects to an entry (``entry_of()`` at the time) on ``filed``; the
        supervision office answers on ``answered``."""
        if "works" not in world.departments:
            return
        handler = acting_for(world, world.departments["works"])
        held = {}

        def file():
            entry = entry_of()
            if entry is not None:
                upload = (
                    _pdf("objection.pdf", "Objection", text["reason"][:20]) if with_file else None
                )
                held["o"] = scoring.file_objection(handler, entry, text["reason"], upload)

        def answer():
            if "o" in held:
                scoring.answer_objection(
                    supervisor, held["o"], upheld=text.get("upheld", False), answer=text["answer"]
                )

        chain(self.line, self.rng, [(filed, file), (answered, answer) if answered else None])

    # -- the demo district ----------------------------------------------------------------

    def _demo_district(self, world, supervisor) -> None:
        last, this = self.today.year - 1, self.today.year
        self._entries(world, supervisor, last, DATA["last_year"])
        self._entries(world, supervisor, this, DATA["this_year"])
        texts = DATA["objections"]
        for name, filed, answered in (
            ("upheld", datetime.date(last, 8, 12), datetime.date(last, 8, 26)),
            ("rejected", datetime.date(last, 5, 21), datetime.date(last, 6, 4)),
        ):
            key = f"{last}{texts[name]['entry']}"
            self._objection(
                world,
                supervisor,
                lambda key=key: self.entries.get(key),
                texts[name],
                filed,
                answered,
                with_file=name == "upheld",
            )
        # January: the year is finished once every entry of it was written.
        finish = min(datetime.date(this, 1, 20), self.today - ONE_DAY)
        self.line.add(moment(finish, 16, 30), self._finish, supervisor, world)
        waiting = max(datetime.date(this, 1, 2), self.today - datetime.timedelta(days=4))
        self._objection(
            world,
            supervisor,
            lambda: self._this_year_deduction(world, this) or self.entries.get(f"{this}works-2"),
            texts["waiting"],
            waiting,
            with_file=True,
        )

    def _finish(self, supervisor, world) -> None:
        last = self.today.year - 1
        written = LedgerEntry.objects.filter(district=world.district, year=last).aggregate(
            latest=Max("created_at")
        )["latest"]
        finish = clock.now()
        if written is not None and written >= finish:
            # (never after the present: an entry written "now" counts, as it would)
            finish = min(written + datetime.timedelta(minutes=30), max(written, timezone.now()))
        with clock.at(finish):
            scoring.finish_year(supervisor, world.district, last)

    def _this_year_deduction(self, world, year: int) -> LedgerEntry | None:
        """This year's first rule deduction of the works department, if a scan wrote one."""
        department = world.departments.get("works")
        if department is None:
            return None
        return (
            LedgerEntry.objects.filter(department=department, year=year, points__lt=0)
            .exclude(rule_code="")
            .filter(created_at__lt=clock.now())
            .order_by("occurred_on", "id")
            .first()
        )


def assessment_counts(district_ids) -> dict[str, int]:
    """Assessment records of the demo districts (for the summary and tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "assessment years": AssessmentYear.objects.filter(in_districts).count(),
        "ledger entries": LedgerEntry.objects.filter(in_districts).count(),
        "objections": Objection.objects.filter(in_districts).count(),
    }
