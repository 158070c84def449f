"""A milestone kept is one rule (``agreements.querysets.milestone_kept_q``/``milestone_late_q``):
the quarterly bulletin's "commitments kept", the commitment page's milestone states and
the daily scan's missed-milestone ledger entries count the same milestones (today is
2026-06-15). The KPI page does not count milestones."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhaoshang.agreements.choices import MilestoneState
from zhaoshang.agreements.models import Milestone
from zhaoshang.agreements.services import ledger
from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.core import clock
from zhaoshang.reports.tests.factories import add_milestone


def test_the_bulletin_the_commitment_page_and_the_ledger_agree_on_milestones_kept(
    world, client_for
):
    works, land = world.dept_works_a, world.dept_land_a
    kept_on_due_day = add_milestone(world, works, due_on="2026-04-20", done_on="2026-04-20")
    done_late = add_milestone(world, works, due_on="2026-05-10", done_on="2026-05-12")
    missed = add_milestone(world, works, due_on="2026-06-01", done_on=None)
    kept_early = add_milestone(world, land, due_on="2026-05-05", done_on="2026-04-30")
    kept_today = add_milestone(world, land, due_on="2026-06-10", done_on="2026-06-10")
    not_yet_due = add_milestone(world, land, due_on="2026-06-20", done_on=None)  # after today
    add_milestone(world, land, due_on="2026-03-20", done_on="2026-03-25")  # 2026-Q1, late

    # By hand: due in Q2 up to today, 建设局 3 (1 kept), 国土局 2 (2 kept).
    bulletin = client_for("leader").get(
        reverse("reports:report", args=["quarterly"]), {"period": "2026-Q2", "live": "1"}
    )
    assert bulletin.status_code == 200
    ranked = bulletin.context["figures"]["sections"][0]["rows"]
    # Columns: rank, department, cases done, done on time, timeliness, milestones due,
    # kept, commitments kept, …
    by_department = {row[1]: (row[6], row[5], row[7]) for row in ranked}
    assert by_department[works.name] == (1, 3, 0.3333)
    assert by_department[land.name] == (2, 2, 1.0)

    # The commitment pages show the same milestones done on time, late and missed.
    states = {}
    client = client_for("bureau")
    for milestone in (kept_on_due_day, done_late, missed, kept_early, kept_today, not_yet_due):
        page = client.get(reverse("agreements:commitment", args=[milestone.commitment_id]))
        assert page.status_code == 200
        (shown,) = page.context["milestones"]
        states[milestone.pk] = shown.state
    assert states == {
        kept_on_due_day.pk: MilestoneState.DONE,
        done_late.pk: MilestoneState.DONE_LATE,
        missed.pk: MilestoneState.MISSED,
        kept_early.pk: MilestoneState.DONE,
        kept_today.pk: MilestoneState.DONE,
        not_yet_due.pk: MilestoneState.OPEN,
    }
    kept = [m.pk for m in Milestone.objects.filter(pk__in=states).kept()]
    assert sorted(kept) == sorted(pk for pk, s in states.items() if s == MilestoneState.DONE)
    assert [m.kept for m in (kept_on_due_day, done_late, kept_early)] == [True, False, True]
    assert [m.done_late for m in (kept_on_due_day, done_late, missed)] == [False, True, False]

    # The daily scan writes a missed-milestone entry for each milestone not kept, and
    # for no other: 建设局's two of the quarter, and 国土局's late one of Q1.
    ledger.scan()
    entries = LedgerEntry.objects.filter(
        rule_code=RuleCode.MISSED_MILESTONE,
        evidence_type=ContentType.objects.get_for_model(Milestone),
    )
    assert sorted(entries.values_list("evidence_id", flat=True)) == sorted(
        Milestone.objects.late(clock.today()).values_list("pk", flat=True)
    )
    in_quarter = entries.filter(evidence_id__in=list(states))
    assert sorted(in_quarter.values_list("evidence_id", flat=True)) == sorted(
        [done_late.pk, missed.pk]
    )
    # Due in the quarter so far = kept + written to the ledger, per department.
    assert 1 + in_quarter.filter(department=works).count() == 3
    assert 2 + in_quarter.filter(department=land).count() == 2
