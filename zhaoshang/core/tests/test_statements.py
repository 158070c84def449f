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
