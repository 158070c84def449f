"""A complaint answered late is one rule (``complaints.querysets.answered_late_q``): the
quarterly bulletin's "answered late", the complaints' own queryset and
``Complaint.answered_late`` count the same complaints — a reopened complaint left
unanswered past its new answer-by date included, which the complaint desk shows red
(today is 2026-06-15). The KPI page does not count complaints."""

from __future__ import annotations

import datetime

from django.urls import reverse

from zhaoshang.complaints.models import Complaint
from zhaoshang.core.lights import Light
from zhaoshang.reports.tests.factories import add_complaint

D = datetime.date


def test_the_bulletin_and_the_complaints_agree_on_answers_late(world, client_for):
    works, land = world.dept_works_a, world.dept_land_a

    def complaint(department, received_on, answer_by, answered_on=None, **fields):
        made = add_complaint(
            world, department, received_on=received_on, answer_by=answer_by or "2026-01-01",
            answered_on=answered_on,
        )  # fmt: skip
        if answer_by is None:
            fields["answer_by"] = None
        if fields:
            Complaint.objects.filter(pk=made.pk).update(**fields)
            made.refresh_from_db()
        return made

    on_due_day = complaint(works, "2026-04-01", "2026-04-08", "2026-04-08")
    answered_late = complaint(works, "2026-04-10", "2026-04-17", "2026-04-20")
    unanswered_past = complaint(works, "2026-06-01", "2026-06-08")  # dispatched
    unanswered_not_yet = complaint(works, "2026-06-10", "2026-06-17")
    reopened_past = complaint(  # answered in time, reopened (不满意), new answer-by passed
        land, "2026-05-01", "2026-05-20", "2026-05-07",
        status="accepted", reopened=True, rating="dissatisfied", due_on=D(2026, 5, 20),
    )  # fmt: skip
    never_dispatched = complaint(land, "2026-05-02", None, status="received")
    due_today = complaint(
        land, "2026-06-05", "2026-06-15", status="accepted", due_on=D(2026, 6, 15)
    )
    complaint(works, "2026-03-20", "2026-03-27", "2026-03-30")  # 2026-Q1: not counted

    # By hand: received in Q2, 建设局 4 (2 late), 国土局 3 (1 late: the reopened one).
    bulletin = client_for("leader").get(
        reverse("reports:report", args=["quarterly"]), {"period": "2026-Q2", "live": "1"}
    )
    assert bulletin.status_code == 200
    ranked = bulletin.context["figures"]["sections"][0]["rows"]
    # Columns: …, complaints, substantiated, answered late, combined score.
    by_department = {row[1]: (row[10], row[8]) for row in ranked}
    assert by_department[works.name] == (2, 4)
    assert by_department[land.name] == (1, 3)

    today = D(2026, 6, 15)
    late = {answered_late.pk, unanswered_past.pk, reopened_past.pk}
    q2 = [on_due_day, answered_late, unanswered_past, unanswered_not_yet, reopened_past,
          never_dispatched, due_today]  # fmt: skip
    assert {c.pk for c in q2 if c.answered_late()} == late
    assert {c.pk for c in q2 if c.answered_late(today)} == late
    counted = Complaint.objects.filter(pk__in=[c.pk for c in q2]).answered_late(today)
    assert set(counted.values_list("pk", flat=True)) == late
    # Before its answer-by date had passed the reopened complaint was not yet late.
    assert not reopened_past.answered_late(D(2026, 5, 20))

    # The complaint desk shows the reopened complaint red, the one due today not red.
    lights = dict(
        Complaint.objects.filter(pk__in=[reopened_past.pk, due_today.pk])
        .with_days_left(today)
        .values_list("pk", "light")
    )
    assert lights[reopened_past.pk] == Light.RED
    assert lights[due_today.pk] != Light.RED
