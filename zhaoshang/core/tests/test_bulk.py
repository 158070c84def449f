"""update_from_rows: the joined bulk write gives what Django's bulk_update gives, in
statements that do not grow with a batch's rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.bulk import update_from_rows
from zhaoshang.monitoring.models import Signal
from zhaoshang.monitoring.tests.test_query_counts import grow

FIELDS = ["project_id", "department_id", "title", "due_on", "level", "gap", "light"]


def rows_for(signals, world):
    return [
        [
            s.pk,
            world.project2_a.pk if i % 2 else world.project1_a.pk,
            None if i % 3 == 0 else world.dept_land_a.pk,
            f"新名称{i}·'引号'",
            None if i % 4 == 0 else datetime.date(2026, 7, 1) + datetime.timedelta(days=i),
            (i + 1) % 5,
            None if i % 2 else Decimal(f"{i}.5"),
            "yellow" if i % 2 else "red",
        ]
        for i, s in enumerate(signals)
    ]


def test_it_writes_what_bulk_update_writes(world):
    grow(world, 12)
    signals = list(Signal.objects.order_by("pk"))
    rows = rows_for(signals, world)
    assert update_from_rows(Signal, FIELDS, rows[:7]) == 7
    mine = list(Signal.objects.order_by("pk").values_list("pk", *FIELDS))

    # the same change through Django's own bulk_update, on the same starting rows
    for signal, row in zip(signals, rows, strict=True):
        for name, value in zip(FIELDS, row[1:], strict=True):
            setattr(signal, name, value)
    Signal.objects.bulk_update(signals[:7], FIELDS)
    assert list(Signal.objects.order_by("pk").values_list("pk", *FIELDS)) == mine
    assert mine[0][3] == "新名称0·'引号'" and mine[0][2] is None and mine[1][6] is None
    assert mine[2][6] == Decimal("2.5") and mine[1][4] == datetime.date(2026, 7, 2)
    untouched = Signal.objects.get(pk=signals[8].pk)
    assert untouched.title == "事项8" and untouched.level == 3


def test_statements_do_not_grow_with_the_rows_of_a_batch(world):
    grow(world, 40)
    signals = list(Signal.objects.order_by("pk"))
    rows = rows_for(signals, world)
    with CaptureQueriesContext(connection) as few:
        update_from_rows(Signal, FIELDS, rows[:3])
    with CaptureQueriesContext(connection) as many:
        assert update_from_rows(Signal, FIELDS, rows) == 40
    assert len(few) == len(many) == 1
    assert update_from_rows(Signal, FIELDS, []) == 0


def test_a_row_of_the_wrong_width_is_refused(world):
    grow(world, 1)
    with pytest.raises(ValueError, match="7 values"):
        update_from_rows(Signal, FIELDS, [[Signal.objects.get().pk, None]])


def test_the_rows_prepared_are_what_each_field_prepares(db):
    """``preparer``: a plain id or text of Django's own integer and text fields goes in as
    given (it skips ``get_db_prep_save``), every other value as the field prepares it."""
    from zhaoshang.core.bulk import preparer

    meta = Signal._meta
    values = [None, 0, 7, 2**40, "", "名称'引号'", datetime.date(2026, 7, 1), Decimal("12.5")]
    for name in ["id", "project", "department_id", "title", "url", "level", "gap", "light"]:
        field = meta.pk if name == "id" else meta.get_field(name)
        prep = preparer(field, connection)
        for value in values:
            try:
                expected = field.get_db_prep_save(value, connection)
            except (TypeError, ValueError, ArithmeticError, ValidationError):
                continue
            got = prep(value)
            assert (type(got), got) == (type(expected), expected), (name, value)


def test_a_column_prepared_at_once_is_each_value_prepared(db):
    """``prep.column`` (``execute_rows`` prepares the rows column by column) gives what
    ``get_db_prep_save`` gives for each value: a column of plain values, a mixed one (1
    and True and 1.0 kept apart), dates and decimals repeated down the column, and JSON
    lists and dicts (unhashable: value by value)."""
    from zhaoshang.core.bulk import preparer
    from zhaoshang.monitoring.models import LightSnapshot

    meta = Signal._meta
    values = [None, 0, 7, 2**40, "", "名称'引号'", datetime.date(2026, 7, 1), Decimal("12.5")]
    values += [1, True, 1.0, Decimal("1.0"), datetime.date(2026, 7, 1), "x", None]
    checked = 0
    for name in ["id", "project", "department_id", "title", "url", "due_on", "level", "gap"]:
        field = meta.pk if name == "id" else meta.get_field(name)
        column = []
        for value in values:
            try:
                field.get_db_prep_save(value, connection)
            except (TypeError, ValueError, ArithmeticError, ValidationError):
                continue
            column.append(value)
        expected = [field.get_db_prep_save(value, connection) for value in column]
        got = preparer(field, connection).column(tuple(column * 3))
        assert [(type(v), v) for v in got] == [(type(v), v) for v in expected * 3], name
        checked += len(column)
    assert checked > 20
    reasons = LightSnapshot._meta.get_field("reasons")
    column = ([{"title": "甲", "due_on": "2026-07-01"}], [], [{"title": "乙"}], [])
    expected = [reasons.get_db_prep_save(value, connection) for value in column]
    got = preparer(reasons, connection).column(column)
    # (PostgreSQL's driver wraps JSON in an adapter holding the value as ``obj``)
    assert [getattr(v, "obj", v) for v in got] == [getattr(v, "obj", v) for v in expected]


def test_a_column_of_one_object_repeated_is_prepared_once_not_hashed_per_row(db):
    """A value given to every row (a default, a date converted once for the rows holding
    it) is one object: ``prep.column`` prepares it once and maps the column by the
    object, without hashing it for each row (an enum member's or a decimal's hash is a
    Python call); JSON lists each their own object are still prepared by their text."""
    from zhaoshang.core.bulk import preparer
    from zhaoshang.monitoring.models import LightSnapshot

    hashed = []

    class Counted(Decimal):
        def __hash__(self):
            hashed.append(self)
            return super().__hash__()

    gap = Signal._meta.get_field("gap")
    one = Counted("12.5")
    got = preparer(gap, connection).column([one] * 300 + [Decimal("1.0")])
    expected = [gap.get_db_prep_save(v, connection) for v in (Decimal("12.5"), Decimal("1.0"))]
    assert got == [expected[0]] * 300 + [expected[1]]
    assert len(hashed) <= 2  # (its look-up and its entry in the memo)
    reasons = LightSnapshot._meta.get_field("reasons")
    column = [[] for _ in range(10)] + [[{"title": "甲"}] for _ in range(10)] + [None]
    got = preparer(reasons, connection).column(column)
    expected = [reasons.get_db_prep_save(value, connection) for value in column]
    assert [getattr(v, "obj", v) for v in got] == [getattr(v, "obj", v) for v in expected]
