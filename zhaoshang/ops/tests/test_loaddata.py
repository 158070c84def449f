"""dumpdata/loaddata carries the change history exactly: loading writes no history rows of
its own (django-simple-history's m2m handler ignores raw saves and used to add one per
object with a tracked many-to-many field). Not the backup path — see test_backup.py."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.commands import loaddata as django_loaddata
from django.test.utils import override_settings

from zhaoshang.org.choices import WorkingGroupKind
from zhaoshang.org.models import WorkingGroup

pytestmark = pytest.mark.django_db


def _group_models():
    return [WorkingGroup] + [
        m
        for m in apps.get_app_config("org").get_models()
        if m._meta.model_name.startswith("historicalworkinggroup")
    ]


def _counts(models) -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in models}


def _make_group_then_remove_it(world, fixture) -> dict[str, int]:
    group = WorkingGroup.objects.create(
        district=world.district_a, name="测试工作组", kind=WorkingGroupKind.MAJOR_PROJECTS
    )
    group.departments.set([world.dept_works_a, world.dept_land_a])
    models = _group_models()
    assert len(models) == 3  # the group, its history, its departments' history
    with_group = _counts(models)
    call_command(
        "dumpdata",
        *[m._meta.label for m in models],
        natural_foreign=True,
        natural_primary=True,
        output=str(fixture),
    )
    assert any(
        o["model"] == "org.historicalworkinggroup_departments"
        for o in json.loads(fixture.read_text())
    )
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        group.delete()
    WorkingGroup.history.filter(id=group.pk).delete()
    assert _counts(models) != with_group
    return with_group


def test_loaddata_restores_the_history_without_adding_to_it(world, tmp_path):
    fixture = tmp_path / "groups.json"
    with_group = _make_group_then_remove_it(world, fixture)
    call_command("loaddata", str(fixture), verbosity=0)
    assert _counts(_group_models()) == with_group
    group = WorkingGroup.objects.get(name="测试工作组")
    assert set(group.departments.all()) == {world.dept_works_a, world.dept_land_a}


def test_djangos_own_loaddata_would_add_history_rows(world, tmp_path):
    """The reason for the override: if this fails, simple-history has fixed its m2m handler
    and zhaoshang/ops/management/commands/loaddata.py can go."""
    fixture = tmp_path / "groups.json"
    with_group = _make_group_then_remove_it(world, fixture)
    call_command(django_loaddata.Command(), str(fixture), verbosity=0)
    after = _counts(_group_models())
    assert after["org.HistoricalWorkingGroup"] > with_group["org.HistoricalWorkingGroup"]
