"""The ratings pages: the list and its filters, a department's own ratings, the record
rated linked from the rating, and the follow-up form with every error at once."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.tests.factories import make_rating
from zhaoshang.ratings.tests.records import answered_complaint, carried_out_visit


def _rows(response) -> set[int]:
    return {r.pk for r in response.context["page"]}


def test_the_list_filters_by_department_score_kind_and_open_follow_up(client_for, world):
    works = make_rating(world, kind="visit", subject=carried_out_visit(world))
    land = make_rating(
        world, score="satisfied", department=world.dept_land_a, project=world.project2_a
    )
    fairly = make_rating(world, score="fairly")
    client = client_for("supervisor")
    url = reverse("ratings:list")
    assert _rows(client.get(url)) == {works.pk, land.pk, fairly.pk}
    assert _rows(client.get(url, {"department": world.dept_land_a.pk})) == {land.pk}
    assert _rows(client.get(url, {"score": "fairly"})) == {fairly.pk}
    assert _rows(client.get(url, {"kind": "visit"})) == {works.pk}
    assert _rows(client.get(url, {"open": "on"})) == {works.pk}


def test_a_department_sees_its_own_departments_ratings(client_for, world):
    own = make_rating(world)
    make_rating(world, department=world.dept_land_a, project=world.project2_a)
    make_rating(world, "b")
    assert _rows(client_for("department").get(reverse("ratings:list"))) == {own.pk}


def test_the_rating_page_links_the_record_rated(client_for, world):
    complaint = answered_complaint(world)
    rating = make_rating(world, kind="complaint", subject=complaint)
    response = client_for("supervisor").get(reverse("ratings:detail", args=[rating.pk]))
    html = response.content.decode()
    assert reverse("complaints:detail", args=[complaint.pk]) in html
    assert complaint.number in html
    assert 'data-action="follow_up"' in html
    # a department handler reads it, without the office's form
    response = client_for("department").get(reverse("ratings:detail", args=[rating.pk]))
    assert 'data-action="follow_up"' not in response.content.decode()


def test_the_follow_up_form_names_every_problem_and_then_records(client_for, world):
    rating = make_rating(world)
    client = client_for("supervisor")
    url = reverse("ratings:follow_up", args=[rating.pk])
    response = client.post(url, {"note": "", "confirmed": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"note", "confirmed"}
    response = client.post(url, {"note": "已约谈，责令整改。", "confirmed": "1"})
    assert response.status_code == 302
    rating = Rating.objects.get(pk=rating.pk)
    assert (rating.followup, rating.followup_confirmed) == ("done", True)


def test_the_menu_shows_the_ratings_to_the_office_and_departments(client_for, world):
    href = reverse("ratings:list")
    for who, shown in (("supervisor", True), ("department", True), ("park", False)):
        html = client_for(who).get(reverse("home")).content.decode()
        assert (f'href="{href}"' in html) is shown, who
