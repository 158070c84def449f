"""The KPI page, its drill-down, the districts compared, and the targets with their
progress and form rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.kpis.models import AnnualTarget
from zhaoshang.kpis.tests.factories import D, add_funds, make_project, make_target
from zhaoshang.kpis.tests.test_compute import hand  # noqa: F401 (fixture)


def test_kpi_page_shows_each_figure_with_links_to_its_projects(client_for, hand):  # noqa: F811
    response = client_for("bureau").get(reverse("kpis:index"), {"year": 2025})
    assert response.status_code == 200
    cards = {c["name"]: c for c in response.context["cards"]}
    # District a's 2025 cohort: the hand-built P1–P3 (the world's project1_a is of 2026).
    assert cards["signed_count"]["value"] == 3
    assert cards["start_rate"]["numerator"] == 2
    body = response.content.decode()
    assert "kpi=start_rate&amp;part=numerator" in body
    assert "kpi=start_rate&amp;part=denominator" in body


def test_drill_down_lists_the_projects_behind_a_figure(client_for, hand):  # noqa: F811
    client = client_for("bureau")
    response = client.get(
        reverse("kpis:drill"),
        {"year": 2025, "kpi": "start_rate", "part": "numerator", "park": hand["p1"].park_id},
    )
    assert response.status_code == 200
    shown = {p.pk for p in response.context["page"].object_list}
    assert shown == {hand["p1"].pk, hand["p3"].pk}
    assert response.context["figure"] == 2


def test_bad_filters_are_400_with_the_field_named(client_for, world, english):
    client = client_for("bureau")
    response = client.get(reverse("kpis:index"), {"year": "x"})
    assert response.status_code == 400
    assert "year" in response.context["form"].errors
    response = client.get(reverse("kpis:drill"), {"park": world.park1_b.pk})
    assert response.status_code == 400
    assert "park" in response.context["form"].errors


def test_a_term_cohort_on_the_page_and_in_its_links(client_for, hand):  # noqa: F811
    response = client_for("bureau").get(reverse("kpis:index"), {"year": 2026, "since": 2024})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2024–2026" in body
    cards = {c["name"]: c for c in response.context["cards"]}
    # District a: P1–P5 and the world's project1_a (signed 2026).
    assert cards["signed_count"]["value"] == 6
    assert cards["production_rate"]["numerator"] == 2  # P1 (2025) and P3 (2026)
    assert "since=2024&amp;kpi=production_rate&amp;part=numerator" in body
    drill = client_for("bureau").get(
        reverse("kpis:drill"),
        {"year": 2026, "since": 2024, "kpi": "production_rate", "part": "numerator"},
    )
    assert {p.pk for p in drill.context["page"].object_list} == {hand["p1"].pk, hand["p3"].pk}


def test_a_first_year_after_the_year_is_refused(client_for, world, english):
    response = client_for("bureau").get(reverse("kpis:index"), {"year": 2025, "since": 2026})
    assert response.status_code == 400
    assert response.context["form"].errors["since"] == [
        "The first year (2026) cannot be after the year (2025)."
    ]


def test_city_users_see_the_districts_side_by_side(client_for, world):
    make_project(world, "b", signed_on=D(2026, 2, 1))
    response = client_for("city").get(reverse("kpis:compare"))
    assert response.status_code == 200
    rows = {row["district"].pk: dict(row["values"]) for row in response.context["rows"]}
    assert set(rows) >= {world.district_a.pk, world.district_b.pk}
    assert rows[world.district_a.pk]["signed_count"] == 1  # project1_a
    assert rows[world.district_b.pk]["signed_count"] == 2  # project1_b and the new one


def test_district_users_compare_only_their_own_district(client_for, world):
    response = client_for("bureau").get(reverse("kpis:compare"))
    assert [row["district"].pk for row in response.context["rows"]] == [world.district_a.pk]
    response = client_for("bureau").get(reverse("kpis:compare"), {"district": world.district_b.pk})
    assert response.status_code == 200  # the field does not exist for them: ignored
    assert [row["district"].pk for row in response.context["rows"]] == [world.district_a.pk]


def _sheet(response) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_comparison_exports_to_excel_with_numerators_and_denominators(
    client_for,
    world,
    hand,  # noqa: F811
    english,
):
    rows = _sheet(client_for("bureau").get(reverse("kpis:export"), {"year": 2025}))
    header, district_a, total = rows
    assert header[:3] == ("District", "Signed projects", "Signed investment (10k yuan)")
    column = dict(zip(header, district_a, strict=True))
    # the hand-built 2025 cohort of district a (see test_compute's ``hand``)
    assert district_a[0] == str(world.district_a)
    assert column["Signed projects"] == 3
    assert column["Start rate: numerator"] == 2 and column["Start rate: denominator"] == 3
    assert column["Start rate (%)"] == pytest.approx(66.67)
    assert total[0] == "Total" and total[1] == 3


def test_city_users_export_every_district(client_for, world):
    make_project(world, "b", signed_on=D(2026, 2, 1))
    rows = _sheet(client_for("city").get(reverse("kpis:export")))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[str(world.district_a)][1] == 1 and by_name[str(world.district_b)][1] == 2
    assert rows[-1][1] == 3  # the total


def test_target_progress_by_scope(client_for, world):
    """2026: project1_a (50000, group_a, paired with 建设局) is signed; a big one of 600000
    in the group; one of 1200000 in park 2 only."""
    make_project(
        world,
        signed_on=D(2026, 4, 1),
        total_investment=Decimal("600000"),
        working_group=world.group_a,
    )
    big = make_project(world, signed_on=D(2026, 5, 1), total_investment=Decimal("1200000"))
    make_project(world, signed_on=D(2025, 5, 1), total_investment=Decimal("900000"))
    add_funds(world, world.project1_a, "700", D(2026, 4, 2))
    add_funds(world, big, "300", D(2025, 12, 1))  # last year's money
    district = make_target(world)
    group = make_target(world, working_group=world.group_a)
    department = make_target(world, department=world.dept_works_a)
    response = client_for("leader").get(reverse("kpis:targets"))
    assert response.status_code == 200
    got = {t.pk: t for t in response.context["targets"]}
    d, g, w = got[district.pk], got[group.pk], got[department.pk]
    assert [row[3] for row in d.tier_rows] == [1, 1, 0]  # ≥100亿, 50–100亿, 10–50亿
    assert d.signed_investment_done == Decimal("1850000")
    assert d.funds_done == Decimal("700")
    assert [row[3] for row in g.tier_rows] == [0, 1, 0]
    assert g.signed_investment_done == Decimal("650000")
    assert g.signed_count == 2
    assert w.signed_count == 1 and w.signed_investment_done == Decimal("50000")
    assert w.funds_done == Decimal("700")
    assert not response.context["may_edit"]


def _form(**changes):
    data = {
        "year": 2026,
        "tier1_min": "1000000",
        "tier1_count": "3",
        "tier2_min": "500000",
        "tier2_count": "6",
        "tier3_min": "100000",
        "tier3_count": "9",
        "signed_investment": "2000000",
        "funds_in_place": "800000",
        "note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_bureau_sets_a_target(client_for, world):
    response = client_for("bureau").post(reverse("kpis:target_create"), _form())
    assert response.status_code == 302
    target = AnnualTarget.objects.get(district=world.district_a, year=2026)
    assert target.tiers[0] == (1, Decimal("1000000"), 3)
    assert DomainEvent.objects.for_object(target).filter(verb="annual_target.created").exists()
    response = client_for("bureau").post(
        reverse("kpis:target_edit", args=[target.pk]),
        _form(signed_investment="2500000", version=target.version),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.signed_investment == Decimal("2500000") and target.version == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tier2_count": "-1"}, "tier2_count", "greater than or equal to 0"),
        ({"signed_investment": "-5"}, "signed_investment", "cannot be negative"),
        ({"tier2_min": "2000000"}, "tier2_min", "must be below the minimum of tier 1"),
        ({"tier3_min": "500000"}, "tier3_min", "must be below the minimum of tier 2"),
        ({"year": "1999"}, "year", "greater than or equal to 2000"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(client_for, english, changes, field, message):
    response = client_for("bureau").post(reverse("kpis:target_create"), _form(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not AnnualTarget.objects.exists()


def test_one_target_per_scope_and_year(client_for, world, english):
    make_target(world)
    make_target(world, working_group=world.group_a)
    client = client_for("bureau")
    response = client.post(reverse("kpis:target_create"), _form())
    assert response.status_code == 400
    assert "already has a target for 2026" in " ".join(response.context["form"].errors["year"])
    response = client.post(reverse("kpis:target_create"), _form(working_group=world.group_a.pk))
    assert response.status_code == 400
    response = client.post(
        reverse("kpis:target_create"),
        _form(working_group=world.group_a.pk, department=world.dept_works_a.pk),
    )
    assert response.status_code == 400
    assert "not both" in " ".join(response.context["form"].errors["department"])
    response = client.post(reverse("kpis:target_create"), _form(year=2027))
    assert response.status_code == 302
    assert AnnualTarget.objects.filter(district=world.district_a).count() == 3


def test_a_stale_edit_is_refused(client_for, world):
    target = make_target(world)
    response = client_for("bureau").post(
        reverse("kpis:target_edit", args=[target.pk]), _form(version=target.version + 5)
    )
    assert response.status_code == 409
