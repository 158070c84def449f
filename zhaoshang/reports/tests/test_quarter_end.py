"""A closed quarter's bulletin is that of its last day (issue 16 point 7): a finding recorded
after the quarter, an answer that became late after it, a case done after it do not count
in it. Today is 2026-06-15; 2026 Q1 ended on 2026-03-31."""

from __future__ import annotations

import pytest

from zhaoshang.complaints.models import Complaint
from zhaoshang.reports import figures
from zhaoshang.reports.choices import Kind, Period
from zhaoshang.reports.tests.factories import add_case, add_complaint, add_milestone, day

pytestmark = pytest.mark.usefixtures("english")


def test_a_closed_quarter_counts_what_was_so_at_its_end(world):
    works = world.dept_works_a
    add_case(world, works, done_on="2026-03-05", due_on="2026-03-10")  # on time
    add_case(world, works, done_on="2026-04-05", due_on="2026-03-20")  # done in Q2
    found_later = add_complaint(
        world,
        works,
        received_on="2026-03-03",
        answer_by="2026-03-20",
        answered_on="2026-03-18",
        outcome="substantiated",
    )
    Complaint.objects.filter(pk=found_later.pk).update(found_on=day("2026-04-10"))
    # due after the quarter, answered late after it: not late at the quarter's end
    add_complaint(
        world, works, received_on="2026-03-25", answer_by="2026-04-03", answered_on="2026-04-08"
    )
    # still unanswered past its answer-by date at the quarter's end: late
    add_complaint(world, works, received_on="2026-03-10", answer_by="2026-03-17")
    data = figures.build(Kind.QUARTERLY, Period(Kind.QUARTERLY, "2026-Q1"), world.district_a)
    ranking = next(s for s in data["sections"] if s["heading"] == "Departments ranked")
    row = {r[1]: r for r in ranking["rows"]}["区建设局"]
    # done 1, on time 1 (1.0); no milestones; 3 complaints, 0 substantiated by 03-31, 1 late
    assert row[2:11] == [1, 1, 1.0, 0, 0, None, 3, 0, 1]
    # 40 × 1 + 40 × 1 (nothing due counts as 1) + 20 × (1 − (0 + 1) ÷ (2 × 3)) = 96.67
    assert row[11] == 96.7


def test_a_milestone_rescheduled_after_the_quarter_stays_due_in_it(world):
    """A milestone due 2026-03-15 (filed 2026-01-05) still open at the quarter's end; on
    2026-04-20 its due date moved to 2026-05-30 (an approved change) and it was done on
    2026-05-20. Q1 still counts it due and not kept; Q2 (open) counts it kept by its new
    date."""
    import datetime

    from zhaoshang.core import clock

    works = world.dept_works_a
    with clock.at(datetime.date(2026, 1, 5)):
        milestone = add_milestone(world, works, due_on="2026-03-15", done_on=None)
    with clock.at(datetime.date(2026, 4, 20)):
        milestone.due_on = day("2026-05-30")
        milestone.save()
    milestone.done_on = day("2026-05-20")
    milestone.save()

    def cells(code):
        data = figures.build(Kind.QUARTERLY, Period(Kind.QUARTERLY, code), world.district_a)
        ranking = next(s for s in data["sections"] if s["heading"] == "Departments ranked")
        return {r[1]: r for r in ranking["rows"]}["区建设局"][5:8]

    assert cells("2026-Q1") == [1, 0, 0.0]  # due 1, kept 0 (0 ÷ 1)
    assert cells("2026-Q2") == [1, 1, 1.0]  # due 1 (by 05-30), kept 1
