"""The district map (挂图作战): outlines as GeoJSON, projects placed inside their park (on
their parcel when they have land), scoped like the registry, filtered by the GET form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.land.models import LandParcel
from zhaoshang.monitoring import geo
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.map_outlines import give_outlines
from zhaoshang.org.models import Park


@pytest.fixture
def mapped(world):
    give_outlines(world)
    return world


def data(client, **params):
    response = client.get(reverse("monitoring:map_data"), params)
    assert response.status_code == 200
    return response.json()


def red(world, project):
    Signal.objects.create(
        district=project.district,
        subject="case",
        content_type=ContentType.objects.get_for_model(ApprovalCase),
        object_id=99_000 + project.pk,
        project=project,
        department=world.dept_works_a,
        title="逾期事项",
        url="/",
        due_on=datetime.date(2026, 6, 1),
        light="red",
        since=datetime.date(2026, 6, 2),
        level=0,
        checked_on=datetime.date(2026, 6, 15),
    )


def test_geometry_places_deterministically_inside():
    ring = [(0.0, 0.0), (4.0, 0.0), (4.0, 1.0), (1.0, 1.0), (1.0, 4.0), (0.0, 4.0)]  # an L
    first = geo.place(ring, "project:7")
    assert geo.place(ring, "project:7") == first
    assert geo.place(ring, "project:8") != first
    for n in range(50):
        assert geo.contains(ring, geo.place(ring, f"project:{n}"))
    assert geo.outer_ring({"type": "Point", "coordinates": [1, 2]}) is None
    assert geo.outer_ring(None) is None
    multi = {"type": "MultiPolygon", "coordinates": [[ring], [[(0, 0), (1, 0), (0, 1)]]]}
    assert geo.outer_ring(multi) == ring


def test_the_map_draws_zones_parks_parcels_and_projects(client_for, mapped):
    world = mapped
    parcel = LandParcel.objects.create(
        district=world.district_a,
        code="DK-1",
        name="一号地块",
        park=world.park1_a,
        area=Decimal("120"),
        status="supplied",
        project=world.project1_a,
    )
    red(world, world.project1_a)
    body = data(client_for("bureau"))
    kinds = sorted(f["properties"]["kind"] for f in body["map"]["features"])
    assert kinds == ["park", "park", "zone"]
    assert body["map"]["features"][0]["geometry"]["type"] == "Polygon"
    points = {p["id"]: p for p in body["projects"]}
    assert set(points) == {world.project1_a.pk, world.project2_a.pk}
    p1 = points[world.project1_a.pk]
    assert p1["light"] == "red" and p1["investment"] == 50000
    assert p1["url"] == reverse("projects:detail", args=[world.project1_a.pk])
    # On its parcel, and the parcel inside its park.
    assert body["parcels"][0]["id"] == parcel.pk and body["parcels"][0]["status"] == "supplied"
    assert p1["value"] == body["parcels"][0]["value"]
    ring = geo.outer_ring(Park.objects.get(pk=world.park1_a.pk).outline)
    assert geo.contains(ring, tuple(p1["value"]))
    ring2 = geo.outer_ring(Park.objects.get(pk=world.park2_a.pk).outline)
    assert geo.contains(ring2, tuple(points[world.project2_a.pk]["value"]))
    # The same place on every call.
    assert data(client_for("bureau"))["projects"] == body["projects"]
    figures = {p["id"]: p for p in body["parks"]}
    park1 = figures[world.park1_a.pk]
    assert (park1["projects"], park1["red"], park1["parcels"]) == (1, 1, 1)
    assert park1["investment"] == 50000 and park1["parcel_area"] == 120
    assert body["unplaced"] == 0


def test_filters_narrow_the_points(client_for, mapped):
    world = mapped
    red(world, world.project1_a)
    client = client_for("bureau")
    assert [p["id"] for p in data(client, light="red")["projects"]] == [world.project1_a.pk]
    assert [p["id"] for p in data(client, light="green")["projects"]] == [world.project2_a.pk]
    assert [p["id"] for p in data(client, stage="lead")["projects"]] == [world.project2_a.pk]
    group = [p["id"] for p in data(client, working_group=world.group_a.pk)["projects"]]
    assert group == [world.project1_a.pk]
    assert len(data(client, industry=world.industry2_a.pk)["projects"]) == 0
    # The page shows the figures behind the map, filtered the same way.
    html = client.get(reverse("monitoring:map"), {"light": "red"}).content.decode()
    assert 'data-total="projects">1<' in html
    assert 'data-url="/monitoring/map/data/?light=red"' in html
    # A park's projects open in the registry with the filters it shares with the map.
    body = data(client, stage="signed", light="red")
    park1 = next(p for p in body["parks"] if p["id"] == world.park1_a.pk)
    assert park1["url"] == f"/projects/?park={world.park1_a.pk}&stage=signed"
    assert body["zones"][0]["name"] == world.zone_a.name


def test_ended_projects_only_when_asked(client_for, mapped):
    world = mapped
    type(world.project2_a).objects.filter(pk=world.project2_a.pk).update(stage="terminated")
    client = client_for("bureau")
    assert [p["id"] for p in data(client)["projects"]] == [world.project1_a.pk]
    assert [p["id"] for p in data(client, stage="terminated")["projects"]] == [world.project2_a.pk]


def test_scoped_like_the_registry(client_for, mapped):
    world = mapped
    park = data(client_for("park"))
    assert [p["id"] for p in park["projects"]] == [world.project1_a.pk]
    assert len(park["map"]["features"]) == 3  # every park drawn, only its projects
    other = data(client_for("bureau_b"))
    assert [p["id"] for p in other["projects"]] == [world.project1_b.pk, world.project2_b.pk]
    city = client_for("city")
    assert {p["id"] for p in data(city)["projects"]} == {
        world.project1_a.pk,
        world.project2_a.pk,
    }
    chosen = data(city, district=world.district_b.pk)
    assert {p["id"] for p in chosen["projects"]} == {world.project1_b.pk, world.project2_b.pk}


def test_without_outlines_nothing_is_drawn_and_the_page_says_so(client_for, world):
    client = client_for("bureau")
    body = data(client)
    assert body["map"]["features"] == [] and body["projects"] == []
    assert body["unplaced"] == 2
    html = client.get(reverse("monitoring:map")).content.decode()
    assert 'data-testid="map-empty"' in html and "zs/map.js" not in html
    assert 'data-testid="unplaced"' in html


def test_the_map_is_in_the_staff_menu(client_for, mapped):
    html = client_for("department").get(reverse("home")).content.decode()
    assert reverse("monitoring:map") in html


def test_the_printed_map_is_dated_by_the_platform_s_clock(client_for, mapped):
    html = client_for("bureau").get(reverse("monitoring:map")).content.decode()
    assert 'data-testid="map-printed-on">2026-06-15<' in html


def test_the_print_button_works_without_a_drawn_map(client_for, world):
    # No outline: the map script is not loaded, the shared print script still is.
    html = client_for("bureau").get(reverse("monitoring:map")).content.decode()
    assert "zs/map.js" not in html
    assert "data-print>" in html and "zs/print.js" in html


def test_a_map_that_fails_to_load_says_so(client_for, mapped):
    html = client_for("bureau").get(reverse("monitoring:map")).content.decode()
    assert 'data-error="' in html
