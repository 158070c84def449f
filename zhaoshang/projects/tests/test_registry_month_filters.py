"""The registry's filters the homes link to: the projects signed, started or moved to
another stage this month (the bureau's month) and, for the city, one district."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import Project, StageEvent


def _codes(client, **params) -> set[str]:
    html = client.get(reverse("projects:list"), params).content.decode()
    return set(re.findall(r"ZS-2025-000\d", html))


def test_this_months_changes(world, client_for):
    # The frozen clock's today is in June 2026.
    Project.objects.filter(pk=world.project1_a.pk).update(
        signed_on=datetime.date(2026, 6, 2), started_on=datetime.date(2026, 5, 28)
    )
    StageEvent.objects.create(
        project=world.project2_a,
        from_stage=Stage.LEAD,
        to_stage=Stage.NEGOTIATING,
        occurred_on=datetime.date(2026, 6, 3),
        recorded_by=world.user_bureau,
    )
    StageEvent.objects.create(
        project=world.project1_a,
        from_stage=Stage.NEGOTIATING,
        to_stage=Stage.SIGNED,
        occurred_on=datetime.date(2026, 5, 30),
        recorded_by=world.user_bureau,
    )
    bureau = client_for("bureau")
    assert _codes(bureau) == {"ZS-2025-0001", "ZS-2025-0002"}
    assert _codes(bureau, changed="signed") == {"ZS-2025-0001"}
    assert _codes(bureau, changed="started") == set()
    assert _codes(bureau, changed="moved") == {"ZS-2025-0002"}
    response = bureau.get(reverse("projects:list"), {"changed": "later"})
    assert response.status_code == 200  # an unknown choice filters nothing (the form says so)


def test_the_city_picks_a_district(world, client_for):
    city = client_for("city")
    assert _codes(city) >= {"ZS-2025-0001", "ZS-2025-0009"}
    assert _codes(city, district=world.district_a.pk) == {"ZS-2025-0001", "ZS-2025-0002"}
    assert _codes(city, district=world.district_b.pk) == {"ZS-2025-0009", "ZS-2025-0008"}
    # A district user has no district filter: the parameter changes nothing.
    bureau = client_for("bureau")
    assert _codes(bureau, district=world.district_b.pk) == {"ZS-2025-0001", "ZS-2025-0002"}
