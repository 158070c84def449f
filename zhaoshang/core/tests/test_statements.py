"""``core.statements``: a read compiled once, run again with other ids, gives exactly the
rows its queryset gives (model instances with their related rows and annotations, values
rows), without compiling again; an id used other than as a parameter is never kept."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.db.models import Count, F, Value
from django.db.models.functions import Concat
from django.db.models.sql.compiler import SQLCompiler

from zhaoshang.core import statements
from zhaoshang.core.sessions import SessionStore
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget():
    statements.forget()
    yield
    statements.forget()


def _projects(ids, name):
    return (
        Project.objects.filter(pk__in=ids)
        .exclude(name=name)
        .select_related("enterprise", "district")
        .annotate(label=Concat(F("code"), Value("·"), F("enterprise__name")))
        .order_by("pk")
    )


def _seen(rows):
    return [(p.pk, p.name, p.label, p.enterprise.name, p.district.name) for p in rows]


def _compiles():
    return mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)


def test_other_ids_give_the_rows_of_the_queryset_without_compiling_again(world):
    projects = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    assert len(projects) >= 4
    first, second = projects[:2], projects[2:4]
    key = ("test", "x")
    build = lambda ids: _projects(ids, "x")  # noqa: E731
    assert _seen(statements.rows(key, build, first)) == _seen(_projects(first, "x"))
    with _compiles() as compiling:
        got = statements.rows(key, build, second)
    assert compiling.call_count == 0
    assert _seen(got) == _seen(_projects(second, "x"))
    # Another number of ids is another statement; duplicates are dropped as IN drops them.
    assert _seen(statements.rows(key, build, [*first, first[0], 999_999])) == _seen(
        _projects(first, "x")
    )
    # values() rows, and a key that is a str.
    count = lambda pk: (  # noqa: E731
        Project.objects.filter(district_id=pk)
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    for district in {p.district_id for p in Project.objects.all()}:
        assert statements.rows("count", count, district) == list(count(district))


def test_an_id_not_used_as_a_parameter_is_not_kept(world):
    pk = Project.objects.order_by("pk").first().pk
    build = lambda pk: Project.objects.extra(where=[f"id = {pk}"])  # noqa: E731
    assert [p.pk for p in statements.rows("raw", build, pk)] == [pk]
    assert statements._kept[statements._key("raw", (pk,))] is None
    with _compiles() as compiling:
        assert [p.pk for p in statements.rows("raw", build, pk)] == [pk]
    assert compiling.call_count == 1  # compiled every time


def test_other_than_ids_are_read_as_they_are(world):
    pk = Project.objects.order_by("pk").first().pk
    build = lambda pk: Project.objects.filter(pk=pk)  # noqa: E731
    assert [p.pk for p in statements.rows("other", build, float(pk))] == [pk]
    assert not statements._kept


def test_the_session_store_reads_what_djangos_reads(world):
    live = DjangoStore()
    live["x"] = 1
    live.create()
    expired = DjangoStore()
    expired["x"] = 2
    expired.set_expiry(datetime.timedelta(seconds=-10))
    expired.create()
    for key in (
        live.session_key,
        expired.session_key,
        "missing-key-0123456789abcdef",
        live.session_key,
    ):
        ours, django = SessionStore(key), DjangoStore(key)
        assert dict(ours.items()) == dict(django.items())
        assert ours.session_key == django.session_key
    assert SessionStore(live.session_key)["x"] == 1


def test_an_id_the_driver_wraps_is_filled_in_wrapped_alike(world):
    """On PostgreSQL an id compared with a typed expression (a Coalesce) reaches the driver
    wrapped (psycopg's ``Int4``): it is an id's place all the same, filled with the next id
    wrapped alike, never run with its stand-in (the team's tiles once counted a project
    twice: its manager taken for someone else)."""
    from django.db import connection
    from django.db.models import IntegerField
    from django.db.models.functions import Coalesce

    def build(district, pk):
        return (
            Project.objects.filter(district_id=district)
            .annotate(d=Coalesce(F("district_id"), Value(0), output_field=IntegerField()))
            .filter(d=district)
            .exclude(pk=pk)
            .order_by("pk")
        )

    projects = list(Project.objects.order_by("pk"))
    for project in projects:
        got = statements.rows("wrapped", build, project.district_id, project.pk)
        assert [p.pk for p in got] == [p.pk for p in build(project.district_id, project.pk)]
    kept = statements._kept[statements._key("wrapped", (1, 1))]
    assert kept is not None
    if connection.vendor == "postgresql":
        assert any(wrap is not None for *_place, wrap in kept.places)


def test_an_id_used_also_otherwise_than_as_a_parameter_is_not_kept(world):
    """An id that is a parameter in one place and, elsewhere, inside another (a LIKE
    pattern) would be run with its stand-in there: such a read is compiled every time."""
    from django.db.models import Q

    project = Project.objects.order_by("pk").first()
    build = lambda code: Project.objects.filter(Q(code=code) | Q(name__contains=code))  # noqa: E731
    for code in (project.code, project.name[:2], "无此项目"):
        got = statements.rows("like", build, code)
        assert sorted(p.pk for p in got) == sorted(p.pk for p in build(code))
    assert statements._kept[statements._key("like", ("x",))] is None


def test_a_read_whose_shape_a_stand_in_decides_is_compiled_every_time(world):
    """A lookup on a small integer field compiles a value beyond its range to "matches
    nothing" (no parameter): the stand-in would decide the statement, so it is not kept and
    each id is read as it is."""
    from zhaoshang.projects.models import MaterialType

    kinds = list(MaterialType.objects.order_by("pk"))
    assert kinds
    build = lambda n: MaterialType.objects.filter(sort_order=n).order_by("pk")  # noqa: E731
    for n in {k.sort_order for k in kinds} | {7}:
        assert list(statements.rows("small", build, n)) == list(build(n))
    assert statements._kept[statements._key("small", (1,))] is None
