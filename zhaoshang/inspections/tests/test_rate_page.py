"""The enterprise's rating on the public verification page answers through the shared
page machinery: 400 with every field's error (in Chinese under zh-hans), 409 for a stale
version with the input kept, and nothing written either way."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhaoshang.inspections import services
from zhaoshang.inspections.tests.factories import make_request

D = datetime.date


@pytest.fixture
def visited(world, _frozen_time):
    """A visit to enterprise1_a carried out on 2026-06-25."""
    inspection = make_request(world, enterprises=[world.enterprise1_a], approve=True)
    visit = inspection.visits.get(enterprise=world.enterprise1_a)
    _frozen_time.move_to(datetime.datetime(2026, 6, 25, 2, tzinfo=datetime.UTC))
    services.record_visit(
        world.user_department, visit, carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    visit.refresh_from_db()
    return visit


def test_a_bad_rating_is_400_with_every_field_named_in_chinese(client_for, visited):
    response = client_for("enterprise").post(
        reverse("verify:rate", args=[visited.code]),
        {"rating": "superb"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert {"rating", "version"} <= set(response.context["rate_form"].errors)
    html = response.content.decode()
    assert 'data-field="rating"' in html
    assert "该字段是必填项。" in response.context["rate_form"].errors["version"][0]
    visited.refresh_from_db()
    assert visited.rating == ""


def test_a_stale_rating_keeps_the_comment_and_says_why(client_for, visited):
    version = visited.version
    response = client_for("enterprise").post(
        reverse("verify:rate", args=[visited.code]),
        {"rating": "satisfied", "comment": "检查人员很规范", "version": version - 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html and "检查人员很规范" in html
    visited.refresh_from_db()
    assert visited.rating == "" and visited.rating_comment == ""
    assert visited.version == version


def test_a_good_rating_is_recorded_and_goes_back_to_the_code(client_for, visited):
    response = client_for("enterprise").post(
        reverse("verify:rate", args=[visited.code]),
        {"rating": "satisfied", "version": visited.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:code", args=[visited.code])
    visited.refresh_from_db()
    assert visited.rating == "satisfied"
