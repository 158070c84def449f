"""The park committee's home counts every park its committee governs (what ``visible_to``
lets it see), in every tile alike: projects, commitments and land."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.dashboard.tests.test_homes import TILE, _list_count


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _title(client) -> str:
    html = client.get(reverse("home")).content.decode()
    found = re.search(r'data-home-section="park">\s*<div class="card-header[^"]*">([^<]+)<', html)
    return found.group(1)


def _tiles(client) -> dict[str, int]:
    html = client.get(reverse("home")).content.decode()
    return {url.replace("&amp;", "&"): int(n) for url, n in TILE.findall(html)}


def test_a_committee_governing_two_parks_counts_both(client_for, world):
    world.park2_a.committee = world.dept_committee_a
    world.park2_a.save(update_fields=["committee"])
    client = client_for("park")
    tiles = _tiles(client)
    projects = reverse("projects:list")
    # project1_a (park 1, the user's own) and project2_a (park 2, the committee's too).
    assert tiles[projects] == 2 == _list_count(client, projects)
    for url, count in tiles.items():
        assert _list_count(client, url) == count, url
        assert "park=" not in url  # no tile narrows to one of the committee's parks
    assert _title(client).endswith(str(world.dept_committee_a))  # not its first park


def test_a_park_user_whose_committee_governs_no_park_reads_their_park(client_for, world):
    from zhaoshang.org.models import Park

    Park.objects.filter(committee=world.dept_committee_a).update(committee=None)
    client = client_for("park")
    tiles = _tiles(client)
    assert tiles[reverse("projects:list")] == 1  # project1_a, in the user's park
    assert _title(client).endswith("装备制造产业园")
