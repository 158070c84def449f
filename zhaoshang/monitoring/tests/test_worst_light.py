"""A project's stored light (``Project.light_level``, ``monitoring.worst``) is always the
worst of its signals (``lights.project_light``): after the daily scan, and after every
other kind of write of a signal — a save, a delete (one, a queryset's, a cascade's), a
``bulk_create``, a queryset's ``update`` — while a save of a project loaded before its
signals changed does not put its old light back, and a copy of a lit project starts green."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import services, worst
from zhaoshang.monitoring.lights import project_light
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.scan_world import SCAN_DAY, populate
from zhaoshang.org.models import Department
from zhaoshang.projects.models import Project

D = datetime.date


def _stored_and_live() -> list[tuple[int, str, str]]:
    rows = Project.objects.annotate(live=project_light()).values_list("pk", "light_level", "live")
    return [(pk, worst.LIGHT_OF_LEVEL[level], live) for pk, level, live in rows]


def _stored_and_live_pairs():
    return [(pk, (stored, live)) for pk, stored, live in _stored_and_live()]


def _holds() -> list[tuple[int, str]]:
    """Each project's (pk, light), after checking the stored one is the live one."""
    rows = _stored_and_live()
    assert [(pk, stored) for pk, stored, _live in rows] == [(pk, live) for pk, _s, live in rows]
    return [(pk, stored) for pk, stored, _live in rows]


def _signal(project, n: int, light: str, **extra) -> Signal:
    return Signal(
        district_id=project.district_id,
        subject="case",
        content_type=ContentType.objects.get_for_model(ApprovalCase),
        object_id=88_000 + n,
        project=project,
        title=f"事项{n}",
        due_on=D(2026, 6, 1),
        light=light,
        since=D(2026, 6, 1),
        checked_on=D(2026, 6, 15),
        **extra,
    )


def test_the_daily_scan_stores_each_projects_light(world, _frozen_time):
    populate(world, _frozen_time)
    before = _holds()
    assert all(light == Light.GREEN for _pk, light in before)  # nothing scanned yet
    with transaction.atomic():
        services.daily_scan(SCAN_DAY)
        lit = dict(_holds())
        assert lit[world.project1_a.pk] == Light.RED
        assert lit[world.project1_b.pk] == Light.RED
        # a later day with the lights put out (the cases and items settled away)
        Signal.objects.all().delete()
        services.refresh_signals(SCAN_DAY, subjects=["schedule"])
        assert dict(_holds())[world.project1_a.pk] == Light.GREEN
        # the scan lights them again, set-based
        services.daily_scan(SCAN_DAY)
        assert dict(_holds()) == lit
        transaction.set_rollback(True)


def test_a_district_scanned_alone_stores_only_its_projects_lights(world, _frozen_time):
    populate(world, _frozen_time)
    services.daily_scan(SCAN_DAY, district_ids=[world.district_a.pk])
    lights = dict(_stored_and_live_pairs())
    assert lights[world.project1_a.pk] == (Light.RED, Light.RED)
    assert lights[world.project1_b.pk] == (Light.GREEN, Light.GREEN)  # no signal yet
    services.daily_scan(SCAN_DAY, district_ids=[world.district_b.pk])
    _holds()


def test_every_orm_write_of_a_signal_keeps_the_stored_light(world):
    p1, p2 = world.project1_a, world.project1_b
    red = _signal(p1, 1, Light.RED)
    red.save()
    assert dict(_holds())[p1.pk] == Light.RED
    made = Signal.objects.bulk_create([_signal(p2, 2, Light.YELLOW), _signal(p1, 3, Light.YELLOW)])
    assert dict(_holds())[p2.pk] == Light.YELLOW
    red.delete()
    assert dict(_holds())[p1.pk] == Light.YELLOW
    Signal.objects.filter(pk=made[0].pk).update(light=Light.RED)
    assert dict(_holds())[p2.pk] == Light.RED
    Signal.objects.filter(project=p2).delete()
    assert dict(_holds())[p2.pk] == Light.GREEN
    Signal.objects.filter(pk=made[1].pk).update(project=p2)  # moved to another project
    lights = dict(_holds())
    assert (lights[p1.pk], lights[p2.pk]) == (Light.GREEN, Light.YELLOW)
    gone = Department.objects.create(district_id=p2.district_id, name="撤并的部门")
    Signal.objects.filter(pk=made[1].pk).update(department=gone)
    gone.delete()  # the department's lights go with it (a cascade)
    assert dict(_holds())[p2.pk] == Light.GREEN


def test_a_project_saved_after_its_light_changed_keeps_the_new_light(world):
    loaded = Project.objects.get(pk=world.project1_a.pk)
    assert loaded.light_level == 0
    _signal(loaded, 1, Light.RED).save()  # lit after it was loaded
    loaded.name = "改了名字的项目"
    loaded.save()
    assert Project.objects.get(pk=loaded.pk).light_level == worst.LEVEL[Light.RED]
    loaded.save_new_version(update_fields=["name"])
    assert Project.objects.get(pk=loaded.pk).light_level == worst.LEVEL[Light.RED]
    _holds()


def test_a_copy_of_a_lit_project_starts_green(world):
    _signal(world.project1_a, 1, Light.RED).save()
    copy = Project.objects.get(pk=world.project1_a.pk)
    assert copy.light_level == worst.LEVEL[Light.RED]
    copy.pk, copy.code = None, "COPY-1"
    copy.save()
    assert Project.objects.get(pk=copy.pk).light_level == 0
    _holds()


@pytest.mark.parametrize("district", [None, "a"])
def test_restoring_mends_a_stored_light_gone_wrong(world, district):
    """``restore_districts`` finds a stored light that is wrong either way — lit without a
    signal, or green with one — in the districts asked for, and only there."""
    _signal(world.project1_a, 1, Light.RED).save()
    Project.objects.filter(pk=world.project1_a.pk).update(light_level=0)
    Project.objects.filter(pk=world.project1_b.pk).update(light_level=2)
    ids = None if district is None else [world.district_a.pk]
    assert worst.restore_districts(ids) == (2 if district is None else 1)
    lights = dict(_stored_and_live_pairs())
    assert lights[world.project1_a.pk] == (Light.RED, Light.RED)
    expected_b = Light.GREEN if district is None else Light.RED
    assert lights[world.project1_b.pk][0] == expected_b


@pytest.mark.parametrize("who", ["bureau", "manager", "manager-many"])
def test_my_projects_are_read_off_the_stored_light_s_index(world, who):
    """A district's projects are walked worst first off ``project_lit_order`` (no sort of
    the district's lit projects): for the whole district's, and for a person who serves
    many (read from the district's, each checked as served)."""
    from zhaoshang.dashboard.homes import page
    from zhaoshang.projects.tests.test_newest_index import _plan

    user = getattr(world, f"user_{who.split('-')[0]}")
    projects = Project.objects.filter(district_id=user.district_id)
    served = {"bureau": page.SERVED_ALL, "manager": page.SERVED_SOME}.get(who, page.SERVED_MANY)
    rows = page._rows(Project, projects, None if who == "bureau" else user, served)
    plan = _plan(rows[: page.MY_PROJECTS_SHOWN].values("pk"))
    assert "project_lit_order" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_bulk_update_of_signals_keeps_the_stored_light(world):
    """``bulk_update`` writes each row's own values by a CASE on its key (the project moved,
    the light changed)."""
    p1, p2 = world.project1_a, world.project1_b
    made = Signal.objects.bulk_create([_signal(p1, 1, Light.YELLOW), _signal(p1, 2, Light.YELLOW)])
    made[0].project, made[1].light = p2, Light.RED
    Signal.objects.bulk_update(made, ["project", "light"])
    lights = dict(_holds())
    assert (lights[p1.pk], lights[p2.pk]) == (Light.RED, Light.YELLOW)


def test_a_project_deleted_with_its_lights_restores_nothing(world):
    """The lights that go with their project (one or a queryset of them) restore no level:
    not one statement per light."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = world.project1_a
    Signal.objects.bulk_create([_signal(project, n, Light.RED) for n in range(5)])
    with CaptureQueriesContext(connection) as ctx:
        Project.objects.filter(pk=project.pk).delete()
    restores = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "projects_project"')
    ]
    assert restores == []
    assert not Signal.objects.filter(project_id=project.pk).exists()
