"""A park committee's big screen shows its parks' projects only, and its title says whose:
the district's name with the committee's (a district-wide viewer's title is the district's)."""

from __future__ import annotations

from django.urls import reverse


def _title(client) -> str:
    response = client.get(reverse("screen_data"))
    assert response.status_code == 200
    return response.json()["title"]


def test_the_park_committees_screen_says_whose_projects_it_shows(client_for, world):
    assert _title(client_for("park")) == f"{world.district_a.name} · {world.dept_committee_a}"
    assert _title(client_for("bureau")) == world.district_a.name
    assert _title(client_for("department")) == world.district_a.name
    page = client_for("park").get(reverse("screen")).content.decode()
    assert str(world.dept_committee_a) in page
