"""The data migration: the ratings recorded on complaints and inspection visits before the
ratings app become Rating rows (so the satisfaction figures include them), once."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps

from zhaoshang.complaints.models import Complaint
from zhaoshang.complaints.tests.factories import make_complaint
from zhaoshang.core.audit import log_event
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.inspections.tests.factories import make_request
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.services import satisfaction

carry_over = importlib.import_module(
    "zhaoshang.ratings.migrations.0003_carry_over_ratings"
).carry_over

RATED_ON = datetime.date(2026, 3, 10)


def _old_complaint(world, rating, status="closed"):
    """A complaint rated the old way: the rating written on the complaint itself."""
    complaint = make_complaint(world)
    Complaint.objects.filter(pk=complaint.pk).update(
        rating=rating, rated_on=RATED_ON, status=status
    )
    return complaint


def _old_visit(world, rating, comment=""):
    request = make_request(world, approve=True)
    visit = request.visits.get()
    InspectionVisit.objects.filter(pk=visit.pk).update(
        carried_out_on=RATED_ON, rating=rating, rating_comment=comment, rated_on=RATED_ON
    )
    return visit


def test_old_ratings_become_ratings_once(world):
    closed = _old_complaint(world, "satisfied")
    log_event(world.user_bureau, "complaint.closed", closed, "满意")
    reopened = _old_complaint(world, "dissatisfied", status="accepted")
    visit = _old_visit(world, "dissatisfied", "检查人员态度生硬。")

    carry_over(apps, None)

    ratings = {r.subject_kind: r for r in Rating.objects.all()}
    assert set(ratings) == {"complaint", "visit"}
    of_complaint = ratings["complaint"]
    assert of_complaint.subject_id == closed.pk
    assert (of_complaint.score, of_complaint.rated_on) == ("satisfied", RATED_ON)
    assert of_complaint.department_id == closed.department_id
    assert of_complaint.enterprise_id == closed.enterprise_id
    assert of_complaint.project_id == closed.project_id
    assert of_complaint.rated_by == world.user_bureau  # who recorded the rating
    of_visit = ratings["visit"]
    assert of_visit.subject_id == visit.pk
    assert of_visit.department == world.dept_works_a  # the request's department
    assert of_visit.reason == "检查人员态度生硬。"
    assert of_visit.rated_by == world.user_department  # no event: the request's filer
    assert of_visit.followup == ""  # told at the time; no new follow-up
    assert not Rating.objects.filter(subject_id=reopened.pk, subject_kind="complaint").exists()

    carry_over(apps, None)  # again: nothing new
    assert Rating.objects.count() == 2

    rows = satisfaction(world.district_a.pk, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert [(r.rated, r.satisfied, r.dissatisfied) for r in rows] == [(2, 1, 1)]
