"""Related ids are looked up among the caller's records only: another district's id is
'does not exist', exactly like an id that is nowhere (no leak)."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import create_payload, url

FOREIGN = {
    "enterprise": "enterprise1_b",
    "industry": "industry_b",
    "park": "park1_b",
    "working_group": "group_b",
    "designated_leader": "user_leader_b",
}


def _missing_message(api, field: str, payload: dict) -> str:
    body = api.post(url("projects"), {**payload, field: 987654321}).json()
    return body[field][0].replace("987654321", "{pk}")


@pytest.mark.parametrize("field", FOREIGN)
def test_project_create_rejects_other_districts_ids(world, api_for, field):
    api = api_for("bureau")
    payload = create_payload(world, "projects", "a")
    foreign = getattr(world, FOREIGN[field]).pk

    response = api.post(url("projects"), {**payload, field: foreign})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    message = response.json()[field][0]
    assert message == _missing_message(api, field, payload).replace("{pk}", str(foreign))


def test_project_create_rejects_other_districts_departments(world, api_for):
    payload = create_payload(world, "projects", "a")
    payload["paired_departments"] = [world.dept_works_a.pk, world.dept_works_b.pk]
    response = api_for("bureau").post(url("projects"), payload)
    assert response.status_code == 400
    assert list(response.json()) == ["paired_departments"]


@pytest.mark.parametrize("field", FOREIGN)
def test_project_update_rejects_other_districts_ids(world, api_for, field):
    project = world.project1_a
    foreign = getattr(world, FOREIGN[field]).pk
    api = api_for("bureau")
    response = api.patch(url("projects", project.pk), {field: foreign})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    nowhere = api.patch(url("projects", project.pk), {field: 987654321}).json()[field][0]
    assert response.json()[field][0] == nowhere.replace("987654321", str(foreign))
    project.refresh_from_db()
    assert project.version == world.project1_a.version


def test_designated_leader_cannot_be_an_enterprise_account(world, api_for):
    response = api_for("bureau").patch(
        url("projects", world.project1_a.pk), {"designated_leader": world.user_enterprise.pk}
    )
    assert response.status_code == 400
    assert "designated_leader" in response.json()


def test_park_of_another_districts_zone(world, api_for):
    payload = create_payload(world, "parks", "a")
    payload["zone"] = world.zone_b.pk
    response = api_for("admin").post(url("parks"), payload)
    assert response.status_code == 400
    assert list(response.json()) == ["zone"]


@pytest.mark.parametrize("param", ["park", "industry", "enterprise", "working_group"])
def test_filter_by_another_districts_id_is_400(world, api_for, param):
    foreign = getattr(world, FOREIGN[param]).pk
    response = api_for("bureau").get(url("projects"), {param: foreign})
    assert response.status_code == 400
    assert param in response.json()


def test_superuser_admin_cannot_mix_districts(world, api_for):
    """A superuser sees every district; the service still keeps a project in one."""
    from zhaoshang.org.models import User

    User.objects.filter(pk=world.user_admin.pk).update(is_superuser=True)
    payload = create_payload(world, "projects", "a")
    payload["enterprise"] = world.enterprise1_b.pk
    response = api_for("admin").post(url("projects"), payload)
    assert response.status_code == 400
    assert "enterprise" in response.json()
