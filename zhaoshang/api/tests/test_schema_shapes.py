"""Shapes the OpenAPI document states the way the API writes them (a strict validator with
format checking would otherwise refuse valid answers)."""

from __future__ import annotations

import datetime
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from zhaoshang.api.schema import LOCAL_TIME_PATTERN
from zhaoshang.meetings.tests.test_meetings import make_meeting


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_no_property_claims_an_rfc3339_time_with_an_offset(schema):
    claims = [path for path, node in _walk(schema) if node.get("format") == "time"]
    assert claims == []


def test_a_meetings_time_matches_the_documented_pattern(schema, world, api_for):
    meeting = make_meeting(world, projects=[world.project1_a], starts_at=datetime.time(9, 30))
    answer = api_for("bureau").get(f"/api/v1/meetings/{meeting.pk}/").json()
    documented = schema["components"]["schemas"]["Meeting"]["properties"]["starts_at"]
    assert documented["pattern"] == LOCAL_TIME_PATTERN
    assert re.match(documented["pattern"], answer["starts_at"]), answer["starts_at"]
    assert not re.match(documented["pattern"], "24:00")


def test_a_refused_query_parameter_is_named_not_a_bare_list(api_for):
    """DRF's search filter refuses a NUL character with a bare list of messages; the API
    answers the documented {field: [messages]} naming the parameter."""
    response = api_for("bureau").get("/api/v1/land-campaigns/?search=a%00b")
    assert response.status_code == 400
    assert list(response.json()) == ["search"]
