"""The lights' history kept by the database (issue 19): ``record_lights`` for today's
signals in one statement.

Each project of the scope — in a stage that reports, or lit — gets its light today (red
when a signal of it is red, yellow when one is lit, else green: the level stored on the
project, ``worst``) and its reasons (the
signals of that light, each ``{"title", "department", "due_on"}``, by due date then id: a
JSON array built by the database), compared with its last snapshot; a row is written
(``INSERT … SELECT … ON CONFLICT``) when they differ, and on a month's last day for every
project in a stage that reports. Two reasons compare as JSON values (PostgreSQL's
``jsonb``; on SQLite both sides are rebuilt by ``json_object`` with the same keys, so a
row Python wrote compares equal to the same reasons built here).

``tests/test_light_history_sql.py`` checks this writes what ``services.record_lights``
writes with the lights read in Python.
"""

from __future__ import annotations

import datetime

from django.db import connections, router
from django.db.models import Case, CharField, Expression, F, Q, Subquery, Value, When
from django.db.models import JSONField as JSONModelField

from zhaoshang.core.lights import Light
from zhaoshang.core.querysets import in_districts
from zhaoshang.core.setwise import compiled, date_param
from zhaoshang.monitoring.lights import latest_snapshot
from zhaoshang.monitoring.models import LightSnapshot, Signal
from zhaoshang.monitoring.worst import LEVEL
from zhaoshang.projects.choices import REPORTING_STAGES


class Reasons(Expression):
    """SQL: the reasons of a project's light — its signals of that light as a JSON array,
    by due date then id (``services.project_lights``)."""

    output_field = JSONModelField()

    def __init__(self, light, project):
        super().__init__()
        self.light, self.project = light, project

    def get_source_expressions(self):
        return [self.light, self.project]

    def set_source_expressions(self, exprs):
        self.light, self.project = exprs

    def as_sql(self, compiler, connection):
        light, light_params = compiler.compile(self.light)
        project, project_params = compiler.compile(self.project)
        signal = connection.ops.quote_name(Signal._meta.db_table)
        department = connection.ops.quote_name("org_department")
        where = f"s.project_id = {project} AND s.light = {light}"
        if connection.vendor == "postgresql":
            sql = (
                "COALESCE((SELECT jsonb_agg(jsonb_build_object('title', s.title, 'department', "
                "COALESCE(d.name, ''), 'due_on', COALESCE(to_char(s.due_on, 'YYYY-MM-DD'), '')) "
                f"ORDER BY s.due_on, s.id) FROM {signal} s LEFT JOIN {department} d "
                f"ON d.id = s.department_id WHERE {where}), '[]'::jsonb)"
            )
        else:
            # each object built in the aggregate (one built in the ordered subquery would
            # come out as text, parsed again by json())
            sql = (
                "(SELECT json_group_array(json_object('title', r_title, 'department', "
                "r_department, 'due_on', r_due_on)) FROM (SELECT s.title AS r_title, "
                "COALESCE(d.name, '') AS r_department, COALESCE(s.due_on, '') AS r_due_on "
                f"FROM {signal} s LEFT JOIN {department} d ON d.id = s.department_id "
                f"WHERE {where} ORDER BY s.due_on, s.id))"
            )
        return sql, [*project_params, *light_params]


class Canonical(Expression):
    """SQL: stored reasons as ``Reasons`` builds them (SQLite: the same keys, by
    ``json_object``; PostgreSQL compares ``jsonb`` as values), ``[]`` for none."""

    output_field = JSONModelField()

    def __init__(self, reasons):
        super().__init__()
        self.reasons = reasons

    def get_source_expressions(self):
        return [self.reasons]

    def set_source_expressions(self, exprs):
        (self.reasons,) = exprs

    def as_sql(self, compiler, connection):
        reasons, params = compiler.compile(self.reasons)
        if connection.vendor == "postgresql":
            return f"COALESCE({reasons}, '[]'::jsonb)", params
        return self.sqlite(reasons), params

    @staticmethod
    def sqlite(reasons: str) -> str:
        return (
            "(SELECT json_group_array(json_object('title', json_extract(value, '$.title'), "
            "'department', json_extract(value, '$.department'), 'due_on', "
            f"json_extract(value, '$.due_on'))) FROM json_each(COALESCE({reasons}, '[]')))"
        )


def record(today: datetime.date, scope, district_ids, month_end: bool) -> int:
    """Write today's snapshots of the projects of ``scope`` (a Project queryset) whose
    light or reasons changed (every one in a stage that reports on a month's end); returns
    how many rows were written."""
    # The light each project's signals give it, as stored on the project (``worst``: the
    # level follows every write of a signal), not found again by two probes of them.
    light = Case(
        *[When(light_level=LEVEL[lit], then=Value(lit)) for lit in (Light.RED, Light.YELLOW)],
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
    rows = (
        in_districts(scope, district_ids)
        .filter(Q(stage__in=REPORTING_STAGES) | Q(light_level__gt=LEVEL[Light.GREEN]))
        .annotate(
            l_light=light,
            l_reasons=Reasons(light, F("pk")),
            # the last snapshot found once, its light and reasons read off its row
            # (``project_light_on``, ``project_reasons_on``: the same row, looked up twice)
            l_last=Subquery(latest_snapshot(today, "pk").values("pk")[:1]),
            l_reports=Case(
                When(stage__in=REPORTING_STAGES, then=Value(True)),
                default=Value(False),
            ),
        )
        .order_by("pk")
        .values_list(
            "pk", "district_id", "l_light", "l_reasons", "l_last", "l_reports",
        )
    )  # fmt: skip
    connection = connections[router.db_for_write(LightSnapshot)]
    quote = connection.ops.quote_name
    sql, params = compiled(rows, connection)
    table = quote(LightSnapshot._meta.db_table)
    on = quote("on")
    if connection.vendor == "postgresql":
        differs = "t.l_reasons IS DISTINCT FROM COALESCE(prev.reasons, '[]'::jsonb)"
    else:
        # the stored text as built here is the same text; else rebuilt to compare
        rebuilt = Canonical.sqlite("prev.reasons")
        differs = f"t.l_reasons IS NOT prev.reasons AND t.l_reasons <> {rebuilt}"
    # green without a snapshot (never lit: ``project_light_on``)
    wanted = f"t.l_light <> COALESCE(prev.light, %s) OR {differs}"
    if month_end:
        wanted += " OR t.l_reports"
    with connection.cursor() as cursor:
        # The projects are read back in the order the materialized step wrote them (by key),
        # not sorted again (0.1 s at 96,000 lit projects): that order decides only the new
        # snapshots' ids.
        cursor.execute(
            f"INSERT INTO {table} (district_id, project_id, {on}, light, reasons) "
            f"WITH t AS MATERIALIZED ({sql}) "
            f"SELECT t.district_id, t.pk, %s, t.l_light, t.l_reasons FROM t "
            f"LEFT JOIN {table} prev ON prev.id = t.l_last WHERE {wanted} "
            f"ON CONFLICT (project_id, {on}) DO UPDATE SET light = excluded.light, "
            "reasons = excluded.reasons",
            [*params, date_param(connection, today), Light.GREEN.value],
        )
        return cursor.rowcount
