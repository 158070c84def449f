"""The lights board's stored rank (issue 19 point 3): ``Signal.rank`` always equals the
colour's order (red before yellow, undated last within a colour) however a light is
written — created, saved, updated in bulk, bulk-created, written by the daily scan, by raw
SQL — the board's order is the one the CASE on the colour and the working days left gave
before (whatever the day: the days left are read off the due date, not stored), the
project counts are those of ``project_light``, and the district's board is read from its
index without a sort."""

from __future__ import annotations

import datetime
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.bulk import update_from_rows
from zhaoshang.core.lights import Light
from zhaoshang.monitoring import services
from zhaoshang.monitoring.lights import project_light, project_light_counts
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.querysets import LIGHT_ORDER, light_q, rank_of
from zhaoshang.org.models import User
from zhaoshang.projects.models import Project

TODAY = datetime.date(2026, 6, 15)


def _make(world, n: int, seed: int = 7) -> list[Signal]:
    """``n`` signals of district A with every mix of colour, due date (some none, some
    equal, on working days, weekends and a holiday — 19 June —, past and ahead) and project
    (some none)."""
    rng = random.Random(seed)
    ctype = ContentType.objects.get_for_model(ApprovalCase)
    start = Signal.objects.count()
    projects = [world.project1_a, world.project2_a, None]
    rows = []
    for i in range(n):
        dated = rng.random() < 0.7
        rows.append(
            Signal(
                district=world.district_a,
                subject="case" if i % 2 else "need",
                content_type=ctype,
                object_id=50_000 + start + i,
                project=rng.choice(projects),
                department=world.dept_works_a,
                title=f"事项{i}",
                url="/",
                due_on=(TODAY + datetime.timedelta(days=rng.randint(-12, 12))) if dated else None,
                light=rng.choice([Light.RED, Light.YELLOW]),
                since=TODAY,
                level=i % 5,
                unassigned=i % 7 == 0,
                checked_on=TODAY,
            )
        )
    return Signal.objects.bulk_create(rows)


def _assert_ranks_follow_the_colours():
    rows = list(Signal.objects.values_list("light", "due_on", "rank"))
    assert rows
    assert [r for _l, _d, r in rows] == [rank_of(light, due) for light, due, _r in rows]
    assert all(r // 2 == LIGHT_ORDER[light] for light, _d, r in rows)


def test_the_rank_follows_every_way_a_light_is_written(world):
    signals = _make(world, 12)
    _assert_ranks_follow_the_colours()  # bulk_create

    one = signals[0]
    one.light, one.due_on = Light.YELLOW, None
    one.save()  # the model's save
    _assert_ranks_follow_the_colours()
    one.light, one.due_on = Light.RED, TODAY
    one.save(update_fields=["light", "due_on"])
    one.refresh_from_db()
    assert one.rank == 0

    Signal.objects.filter(pk__in=[s.pk for s in signals[:6]]).update(light=Light.RED)
    Signal.objects.filter(pk__in=[s.pk for s in signals[6:]]).update(
        light=Light.YELLOW, due_on=None
    )
    _assert_ranks_follow_the_colours()  # QuerySet.update

    update_from_rows(  # the daily scan's joined write
        Signal,
        ["light", "due_on"],
        [
            [s.pk, Light.RED if i % 2 else Light.YELLOW, TODAY + datetime.timedelta(days=i - 6)]
            for i, s in enumerate(signals)
        ],
    )
    _assert_ranks_follow_the_colours()

    table = Signal._meta.db_table
    with connection.cursor() as cursor:  # raw SQL, as a set-based scan would write
        cursor.execute(f"UPDATE {table} SET light = %s, due_on = NULL", [Light.YELLOW])
    _assert_ranks_follow_the_colours()
    assert set(Signal.objects.values_list("rank", flat=True)) == {3}


def test_the_daily_scan_writes_ranks_that_follow_the_colours(world):
    ApprovalCase.objects.filter(pk=world.case_a.pk).update(
        status="accepted", due_on=datetime.date(2026, 6, 12), accepted_on=datetime.date(2026, 6, 1)
    )
    ApprovalCase.objects.filter(pk=world.case_out_a.pk).update(
        status="accepted", due_on=datetime.date(2026, 6, 16), accepted_on=datetime.date(2026, 6, 1)
    )
    services.refresh_signals(TODAY)  # created
    _assert_ranks_follow_the_colours()
    services.refresh_signals(datetime.date(2026, 6, 17))  # the yellow one is now red: updated
    _assert_ranks_follow_the_colours()
    assert set(Signal.objects.values_list("light", flat=True)) == {Light.RED}
    assert set(Signal.objects.values_list("rank", flat=True)) == {0}


def _old_order(qs, today=None):
    """The board's order before the stored rank: a CASE on the colour, then the working
    days left (as of ``today``), NULLs last, the due date and the id."""
    rank = Case(When(light=Light.RED, then=Value(0)), default=Value(1))
    return qs.with_days_left(today).order_by(
        rank, F("days_left").asc(nulls_last=True), "due_on", "id"
    )


@pytest.mark.parametrize(
    "today",
    [
        TODAY,  # a Monday
        datetime.date(2026, 6, 13),  # a Saturday
        datetime.date(2026, 6, 19),  # a holiday (Dragon Boat)
        datetime.date(2026, 6, 22),  # the working day after it
        datetime.date(2026, 7, 3),  # past every due date
    ],
)
def test_the_board_order_is_the_one_the_case_gave(world, today):
    _make(world, 80)
    new = list(Signal.objects.worst_first().values_list("pk", flat=True))
    assert new == list(_old_order(Signal.objects.all(), today).values_list("pk", flat=True))
    # (the days left tie on a weekend's due dates: the due date broke the tie, as it does)
    lefts = list(Signal.objects.with_days_left(today).values_list("due_on", "days_left"))
    assert len({left for _due, left in lefts}) < len({due for due, _left in lefts})
    reds = Signal.objects.filter(light_q(Light.RED))
    assert set(reds.values_list("pk", flat=True)) == set(
        Signal.objects.filter(light=Light.RED).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("who", ["bureau", "supervisor", "park", "city"])
def test_the_project_counts_are_those_of_project_light(world, who):
    _make(world, 30)
    user = User.objects.get(username=who)
    projects = Project.objects.visible_to(user)
    expected = projects.annotate(light=project_light()).aggregate(
        red=Count("pk", filter=Q(light=Light.RED)),
        yellow=Count("pk", filter=Q(light=Light.YELLOW)),
        green=Count("pk", filter=Q(light=Light.GREEN)),
    )
    assert project_light_counts(projects) == expected
    assert project_light_counts(projects, Signal.objects.visible_to(user)) == expected


def test_the_board_shows_the_same_counts_and_rows_in_the_same_order(world, client_for):
    _make(world, 40)
    response = client_for("supervisor").get(reverse("monitoring:board"))
    page = response.context["page"]
    shown = [s.pk for s in page]
    scope = Signal.objects.visible_to(response.wsgi_request.user)
    assert shown == list(_old_order(scope).values_list("pk", flat=True))[: len(shown)]
    assert response.context["totals"]["red"] == scope.filter(light=Light.RED).count()
    assert response.context["totals"]["yellow"] == scope.filter(light=Light.YELLOW).count()
    yellow_only = client_for("supervisor").get(reverse("monitoring:board"), {"light": "yellow"})
    assert {s.light for s in yellow_only.context["page"]} == {Light.YELLOW}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN")
def test_a_district_board_is_read_from_its_index_without_a_sort(world):
    _make(world, 20)
    qs = Signal.objects.filter(district=world.district_a).worst_first()[:25]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "signal_board_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
