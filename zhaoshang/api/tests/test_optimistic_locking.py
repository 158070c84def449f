"""Concurrent edits (SPEC §17): the second writer is told (409) and nothing changes."""

from __future__ import annotations

import pytest

from zhaoshang.api.tests.world_api import url

RECORDS = {"projects": "project1_a", "enterprises": "enterprise1_a"}


@pytest.mark.parametrize("resource", RECORDS)
def test_stale_version_is_409_and_changes_nothing(world, api_for, resource):
    record = getattr(world, RECORDS[resource])
    api = api_for("bureau")
    read = api.get(url(resource, record.pk)).json()
    # Someone else saves first.
    first = api.patch(
        url(resource, record.pk), {"name": "先保存的名字", "version": read["version"]}
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == read["version"] + 1

    second = api.patch(
        url(resource, record.pk), {"name": "后保存的名字", "version": read["version"]}
    )

    assert second.status_code == 409
    assert list(second.json()) == ["version"]
    assert second.json()["version"][0]
    record.refresh_from_db()
    assert record.name == "先保存的名字"
    assert record.version == read["version"] + 1


@pytest.mark.parametrize("resource", RECORDS)
def test_patch_without_version_uses_the_current_one(world, api_for, resource):
    record = getattr(world, RECORDS[resource])
    response = api_for("bureau").patch(url(resource, record.pk), {"name": "没有版本号"})
    assert response.status_code == 200
    assert response.json()["version"] == record.version + 1


@pytest.mark.parametrize("resource", RECORDS)
def test_put_needs_the_version(world, api_for, resource):
    record = getattr(world, RECORDS[resource])
    api = api_for("bureau")
    body = api.get(url(resource, record.pk)).json()
    body["name"] = "整体替换"
    without = {k: v for k, v in body.items() if k != "version"}

    response = api.put(url(resource, record.pk), without)
    assert response.status_code == 400
    assert "version" in response.json()

    response = api.put(url(resource, record.pk), body)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "整体替换"


def test_stale_project_update_keeps_paired_departments(world, api_for):
    project = world.project1_a
    response = api_for("bureau").patch(
        url("projects", project.pk),
        {"paired_departments": [world.dept_land_a.pk], "version": project.version + 1},
    )
    assert response.status_code == 409
    assert list(project.paired_departments.values_list("pk", flat=True)) == [world.dept_works_a.pk]
