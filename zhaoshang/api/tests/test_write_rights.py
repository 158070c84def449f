"""Who may create, change and delete, generated over every user × every resource:
projects and enterprises are written by the district's bureau and admins and deleted
by admins only; reference data is written by the district's admin; city users and
everyone else only read (SPEC §1). A writer aiming at another district gets 404."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import (
    RESOURCES,
    USERS,
    create_payload,
    make_record,
    may_delete,
    may_write,
    role_of,
    tag_of,
    target,
    url,
)
from zhaoshang.core.roles import Role


def _closed(role: str) -> bool:
    return role == Role.ENTERPRISE


def _other(tag: str) -> str:
    return "a" if tag == "b" else "b"


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_create(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    role, tag = role_of(user), tag_of(world, user)
    model = target(world, resource, tag).__class__
    before = model.objects.count()

    response = api_for(username).post(url(resource), create_payload(world, resource, tag))

    if may_write(role, resource):
        assert response.status_code == 201, response.content
        created = model.objects.get(pk=response.json()["id"])
        assert created.district_id == user.district_id
        assert model.objects.count() == before + 1
    else:
        assert response.status_code == 403, response.content
        assert model.objects.count() == before


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_update_in_own_district(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    role, tag = role_of(user), tag_of(world, user)
    record = target(world, resource, tag)

    response = api_for(username).patch(url(resource, record.pk), {"name": "改过的名字"})

    record.refresh_from_db()
    if may_write(role, resource):
        assert response.status_code == 200, response.content
        assert response.json()["name"] == "改过的名字"
        assert record.name == "改过的名字"
    else:
        assert response.status_code == 403, response.content
        assert record.name != "改过的名字"


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_update_in_other_district(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    role, tag = role_of(user), tag_of(world, user)
    record = target(world, resource, _other(tag))

    response = api_for(username).patch(url(resource, record.pk), {"name": "改过的名字"})

    record.refresh_from_db()
    assert record.name != "改过的名字"
    # Non-writers are refused before any lookup; writers cannot see the record at all.
    assert response.status_code == (404 if may_write(role, resource) else 403)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_delete_in_own_district(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    role, tag = role_of(user), tag_of(world, user)
    record = make_record(world, resource, tag)

    response = api_for(username).delete(url(resource, record.pk))

    exists = record.__class__.objects.filter(pk=record.pk).exists()
    if may_delete(role, resource):
        assert response.status_code == 204, response.content
        assert not exists
    else:
        assert response.status_code == 403, response.content
        assert exists


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("username", USERS)
def test_delete_in_other_district(world, api_for, username, resource):
    user = getattr(world, f"user_{username}")
    role, tag = role_of(user), tag_of(world, user)
    record = make_record(world, resource, _other(tag))

    response = api_for(username).delete(url(resource, record.pk))

    assert record.__class__.objects.filter(pk=record.pk).exists()
    assert response.status_code == (404 if may_delete(role, resource) else 403)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_enterprise_user_is_refused_every_write(world, api_for, resource, method):
    record = target(world, resource, "a")
    api = api_for("enterprise")
    response = (
        api.delete(url(resource, record.pk))
        if method == "delete"
        else getattr(api, method)(url(resource, record.pk), {"name": "x"})
    )
    assert _closed(Role.ENTERPRISE)
    assert response.status_code == 403


def test_reference_data_is_created_in_the_admins_district(world, api_for):
    response = api_for("admin_b").post(url("departments"), {"name": "区发改局"})
    assert response.status_code == 201
    assert response.json()["district"] == world.district_b.pk


def test_duplicate_reference_name_is_400(world, api_for):
    response = api_for("admin").post(url("departments"), {"name": world.dept_works_a.name})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    # The same name is free in the other district.
    response = api_for("admin_b").post(url("departments"), {"name": "只在A区的名字"})
    assert response.status_code == 201
