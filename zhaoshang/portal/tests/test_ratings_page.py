"""My ratings in the service hall: what the enterprise rated, with the supervision
office's follow-up once done, and what it can still rate — its own records only."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.ratings import services
from zhaoshang.ratings.subjects import SUBJECTS, portal_url
from zhaoshang.ratings.tests.factories import make_rating
from zhaoshang.ratings.tests.records import answered_complaint, carried_out_visit, resolved_need


def test_the_page_lists_what_was_rated_and_what_is_still_to_rate(client_for, world):
    need = resolved_need(world)
    rated_visit = carried_out_visit(world)
    rating = make_rating(world, kind="visit", subject=rated_visit, reason="态度生硬。")
    services.follow_up(world.user_supervisor, rating, note="已约谈建设局。", confirmed=True)
    complaint = answered_complaint(world)
    make_rating(world, kind="complaint", subject=complaint, score="satisfied")
    open_visit = carried_out_visit(world)

    response = client_for("enterprise").get(reverse("portal:ratings"))
    assert response.status_code == 200
    to_rate = response.context["to_rate"]
    labels = {row["label"] for row in to_rate}
    assert f"{need.number} {need.title}" in labels
    assert any(open_visit.request.number in label for label in labels)
    assert not any(rated_visit.request.number in label for label in labels)
    assert complaint.number not in labels
    html = response.content.decode()
    assert "态度生硬。" in html and "已约谈建设局。" in html
    rated = list(response.context["page"])
    assert {r.subject_kind for r in rated} == {"visit", "complaint"}


def test_another_enterprises_records_are_not_there(client_for, world):
    make_rating(world, project=world.project2_a, department=world.dept_land_a, reason="差。")
    make_rating(world, "b", reason="也差。")
    response = client_for("enterprise").get(reverse("portal:ratings"))
    assert list(response.context["page"]) == []
    assert "差。" not in response.content.decode()
    api = client_for("enterprise").get("/api/v1/portal/ratings/")
    assert api.status_code == 200 and api.json()["results"] == []


def test_the_api_gives_the_follow_up_once_done(client_for, world):
    complaint = answered_complaint(world)
    rating = make_rating(world, kind="complaint", subject=complaint)
    services.follow_up(world.user_supervisor, rating, note="已整改。", confirmed=False)
    row = client_for("enterprise").get("/api/v1/portal/ratings/").json()["results"][0]
    assert row["subject_label"] == complaint.number
    assert (row["score"], row["followup"], row["followup_note"]) == (
        "dissatisfied",
        "done",
        "已整改。",
    )


def test_every_kind_links_to_its_own_page_of_the_hall():
    pages = {kind: portal_url(subject.portal_name, 7) for kind, subject in SUBJECTS.items()}
    assert pages == {
        "case": "/portal/approvals/7/",
        "need": "/portal/needs/7/",
        "complaint": "/portal/complaints/7/",
        "visit": "/portal/inspections/7/",
    }


def test_a_need_closed_with_a_reason_is_to_rate_too(client_for, world):
    from zhaoshang.service.models import Need

    need = resolved_need(world)
    Need.objects.filter(pk=need.pk).update(
        status="closed", resolved_on=None, closed_on=need.raised_on
    )
    response = client_for("enterprise").get(reverse("portal:ratings"))
    row = next(r for r in response.context["to_rate"] if r["label"].startswith(need.number))
    assert row["closed_on"] == need.raised_on
