"""Deleting: recorded in the audit trail, and refused with a 400 (never a 500) while
other records still refer to the object (PROTECT)."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import make_record, url
from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects.models import Project


@pytest.mark.parametrize("resource", ["projects", "enterprises"])
def test_delete_is_recorded(world, api_for, resource):
    record = make_record(world, resource, "a")
    response = api_for("admin").delete(url(resource, record.pk))
    assert response.status_code == 204
    model = record.__class__
    assert not model.objects.filter(pk=record.pk).exists()
    verb = f"{model._meta.model_name}.deleted"
    event = DomainEvent.objects.get(verb=verb, object_id=record.pk)
    assert event.actor == world.user_admin
    assert event.district_id == world.district_a.pk
    assert model.history.filter(id=record.pk, history_type="-").exists()


@pytest.mark.parametrize(
    ("resource", "name"),
    [
        ("enterprises", "enterprise2_a"),  # has project2_a
        ("enterprises", "enterprise1_a"),  # has projects and a portal account
        ("parks", "park1_a"),
        ("industries", "industry_a"),
        ("departments", "dept_works_a"),  # has users
    ],
)
def test_delete_of_a_referenced_record_is_400(world, api_for, resource, name):
    record = getattr(world, name)
    response = api_for("admin").delete(url(resource, record.pk))
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert record.__class__.objects.filter(pk=record.pk).exists()
    assert not DomainEvent.objects.filter(verb__endswith=".deleted").exists()


def test_deleting_a_project_keeps_its_enterprise(world, api_for):
    response = api_for("admin").delete(url("projects", world.project2_a.pk))
    assert response.status_code == 204
    assert not Project.objects.filter(pk=world.project2_a.pk).exists()
    assert Enterprise.objects.filter(pk=world.enterprise2_a.pk).exists()
    # Now the enterprise has no project left, but the admin may delete it.
    assert api_for("admin").delete(url("enterprises", world.enterprise2_a.pk)).status_code == 204
