"""The departments' assessment of the demo city (SPEC §12, §18; 年终考核), replayed through
``assessment.scoring`` from ``data/assessment.json`` after every other builder: last year
finished in January — base score 100, the supervision office's hand entries with their
evidence PDFs, one objection upheld (its counter-entry) and one rejected; this year open, with
a hand entry or two and one objection waiting. The scans' rule entries count as well.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db.models import Max

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, LedgerEntry, Objection
from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, act, acting_for, counter, pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import moment, office_time

DATA = load("assessment")


class AssessmentBuilder(Part):
    """Adds the assessment to the worlds a DemoBuilder built (after every other builder)."""

    SEED = 2026_14

    def build(self) -> None:
        self.entries: dict[str, LedgerEntry] = {}
        this = self.today.year
        for world in self.worlds:
            supervisor, full = world.role_users.get(Role.SUPERVISOR), world is self.worlds[0]
            base = partial(scoring.set_base_score, supervisor, world.district, base_score="100")
            for year in (this - 1, this) if full else (this,):
                self.line.add(office_time(self.rng, datetime.date(year, 1, 5), late=0), base, year)
            if full:
                self._demo_district(world, supervisor)
        self.line.run()
        ids = [w.district.pk for w in self.worlds]
        entries = LedgerEntry.objects.filter(district_id__in=ids, evidence_file__gt="")
        objections = Objection.objects.filter(district_id__in=ids, file__gt="")
        self.builder.written_files += entries.values_list("evidence_file", flat=True)
        self.builder.written_files += objections.values_list("file", flat=True)

    def _demo_district(self, world, supervisor) -> None:
        last, this = self.today.year - 1, self.today.year
        for year, rows in ((last, DATA["last_year"]), (this, DATA["this_year"])):
            for row in rows:
                self._entry(world, supervisor, year, row)
        for name in ("upheld", "rejected"):
            text = DATA["objections"][name]
            filed, answered = (datetime.date(last, *text[k]) for k in ("filed", "answered"))
            entry_of = partial(self.entries.get, f"{last}{text['entry']}")
            self._objection(world, supervisor, entry_of, text, filed, answered)
        # January: the year is finished once every entry of it was written.
        finish = min(datetime.date(this, 1, 20), self.today - DAY)
        self.line.add(moment(finish, 16, 30), self._finish, supervisor, world)
        waiting = max(datetime.date(this, 1, 2), self.today - 4 * DAY)
        entry_of = partial(self._this_year_deduction, world, this)
        self._objection(world, supervisor, entry_of, DATA["objections"]["waiting"], waiting)

    def _entry(self, world, supervisor, year: int, row) -> None:
        department = world.departments.get(row["department"])
        on = min(datetime.date(year, row["month"], row["day"]), self.today - DAY)
        lines = (row["title"], f"{department.name} {on.isoformat()}", row["reason"][:20])
        values = {"points": row["points"], "reason": row["reason"], "occurred_on": on, "year": year}
        values["evidence"] = pdf(row["file"], *lines)
        key = f"{year}{row['department']}{row['points']}"

        def add():
            self.entries[key] = scoring.add_hand_entry(supervisor, department=department, **values)

        self.line.add(office_time(self.rng, on), add)

    def _objection(self, world, supervisor, entry_of, text, filed, answered=None) -> None:
        """The works department objects to ``entry_of()`` on ``filed``, answered on ``answered``."""
        handler, held, reason = acting_for(world, world.departments["works"]), {}, text["reason"]
        upload = pdf("objection.pdf", "Objection", reason[:20]) if text.get("file") else None

        def file():
            if (entry := entry_of()) is not None:
                held["it"] = scoring.file_objection(handler, entry, reason, upload)

        answer = {"upheld": text.get("upheld", False), "answer": text.get("answer")}
        answer_it = act(held, scoring.answer_objection, supervisor, **answer)
        self.chain([(filed, file), (answered, answer_it) if answered else None])

    def _finish(self, supervisor, world) -> None:
        last, finish = self.today.year - 1, clock.now()
        entries = LedgerEntry.objects.filter(district=world.district, year=last)
        written = entries.aggregate(Max("created_at"))["created_at__max"]
        if written is not None and written >= finish:  # an entry written late counts too
            finish = min(written + datetime.timedelta(minutes=30), max(written, self.line.now))
        with clock.at(finish):
            scoring.finish_year(supervisor, world.district, last)

    def _this_year_deduction(self, world, year: int) -> LedgerEntry | None:
        """This year's first rule deduction of the works department, if a scan wrote one."""
        works = world.departments["works"]
        entries = LedgerEntry.objects.filter(department=works, year=year, points__lt=0)
        entries = entries.exclude(rule_code="").filter(created_at__lt=clock.now())
        return entries.order_by("occurred_on", "id").first()


assessment_counts = counter(
    ("assessment years", AssessmentYear), ("ledger entries", LedgerEntry), ("objections", Objection)
)
