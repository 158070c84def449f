"""The year's settings: base score, a department's own base, finishing the year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import YearStatus
from zhaoshang.assessment.tests.factories import make_entry, make_objection

pytestmark = pytest.mark.usefixtures("english")


def test_base_score_and_department_base(world):
    scoring.set_base_score(world.user_supervisor, world.district_a, 2026, "90")
    scoring.set_department_base(
        world.user_supervisor, world.district_a, 2026, world.dept_works_a, "80"
    )
    s = {x.department: x for x in scoring.standings(world.district_a, 2026)}
    assert s[world.dept_land_a].base == Decimal("90") and s[world.dept_works_a].base == Decimal(
        "80"
    )
    scoring.set_department_base(
        world.user_supervisor, world.district_a, 2026, world.dept_works_a, ""
    )
    s = {x.department: x for x in scoring.standings(world.district_a, 2026)}
    assert s[world.dept_works_a].base == Decimal("90")
    with pytest.raises(ValidationError, match="above 0"):
        scoring.set_base_score(world.user_supervisor, world.district_a, 2026, "0")
    with pytest.raises(ValidationError, match="district"):
        scoring.set_department_base(
            world.user_supervisor, world.district_a, 2026, world.dept_works_b, "80"
        )
    with pytest.raises(PermissionDenied):
        scoring.set_base_score(world.user_leader, world.district_a, 2026, "90")


def test_finishing_freezes_the_year(world):
    entry = make_entry(world.dept_works_a, "-1", year=2025)
    objection = make_objection(entry, world.user_department)
    with pytest.raises(ValidationError, match="waits for an answer"):
        scoring.finish_year(world.user_supervisor, world.district_a, 2025)
    scoring.answer_objection(world.user_supervisor, objection, upheld=False, answer="驳回")
    with pytest.raises(ValidationError, match="not over yet"):
        scoring.finish_year(world.user_supervisor, world.district_a, 2026)
    settings = scoring.finish_year(world.user_supervisor, world.district_a, 2025)
    assert settings.status == YearStatus.FINISHED and settings.finished_by == world.user_supervisor
    with pytest.raises(ValidationError, match="finished"):
        scoring.finish_year(world.user_supervisor, world.district_a, 2025)
    with pytest.raises(ValidationError, match="finished"):
        scoring.set_base_score(world.user_supervisor, world.district_a, 2025, "90")


def test_the_year_page_finishes(client_for, world):
    client = client_for("supervisor")
    url = reverse("assessment:year_finish", args=[2025])
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    page = client.get(reverse("assessment:year", args=[2025]))
    assert b"Finished on" in page.content
    response = client.post(reverse("assessment:year", args=[2026]), {"base_score": "95"})
    assert response.status_code == 302
    assert scoring.assessment_year(world.district_a, 2026).base_score == Decimal("95")
    assert client.get(reverse("assessment:year", args=[1990])).status_code == 404


def test_rankings_page_and_export(client_for, world):
    make_entry(world.dept_works_a, "-4")
    client = client_for("leader")
    page = client.get(reverse("assessment:rankings"), {"year": 2026})
    assert page.status_code == 200 and "区建设局".encode() in page.content
    response = client.get(reverse("assessment:export"), {"year": 2026})
    import io

    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:6] == (
        "Ranking",
        "Department",
        "Base score",
        "Deductions",
        "Additions",
        "Score",
    )
    works = next(r for r in rows if r[1] == "区建设局")
    assert works[3] == -4 and works[5] == 96
    # A department sees its own row only.
    mine = client_for("department").get(reverse("assessment:rankings"), {"year": 2026})
    assert "区建设局".encode() in mine.content and "区国土局".encode() not in mine.content


def test_city_users_choose_the_district(client_for, world):
    make_entry(world.dept_works_b, "-4")
    client = client_for("city")
    page = client.get(
        reverse("assessment:rankings"), {"year": 2026, "district": world.district_b.pk}
    )
    assert page.status_code == 200 and b"96" in page.content
    data = client.get(
        "/api/v1/assessment-standings/", {"year": 2026, "district": world.district_b.pk}
    ).json()
    works = next(r for r in data["results"] if r["department"] == world.dept_works_b.pk)
    assert works["score"] == "96.00" and works["rank"] == data["count"]
    assert client.get("/api/v1/assessment-standings/", {"year": "x"}).status_code == 400


def test_api_entries_filters(client_for, world):
    make_entry(world.dept_works_a, "-4")
    make_entry(world.dept_land_a, "-1", year=2025, occurred_on=datetime.date(2025, 5, 1))
    client = client_for("supervisor")
    rows = client.get("/api/v1/assessment-entries/", {"year": 2026}).json()["results"]
    assert {r["department"] for r in rows} == {world.dept_works_a.pk}
    assert rows[0]["evidence_url"].endswith("/file/")
    rows = client.get("/api/v1/assessment-entries/", {"department": world.dept_land_a.pk}).json()[
        "results"
    ]
    assert [r["year"] for r in rows] == [2025]


def test_every_event_of_the_ledger_has_a_label():
    from zhaoshang.core.audit import EVENT_LABELS, event_label

    verbs = (
        "year_opened",
        "base_set",
        "department_base_set",
        "year_finished",
        "entry_added",
        "objection_filed",
        "objection_upheld",
        "objection_rejected",
    )
    for verb in verbs:
        assert f"assessment.{verb}" in EVENT_LABELS
        assert event_label(f"assessment.{verb}") != f"assessment.{verb}"
