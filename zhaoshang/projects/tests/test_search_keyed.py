"""The registry's search read by key (``search.condition(keyed=True)``, issue 19.3): every
candidate the index names is read once, with the count, in the statement of the page's
keys (``core.paging``'s ``with_page``); on SQLite a caseless term's candidates (Chinese
characters, digits: ``search.CASELESS``) are exactly its matches and are not checked again
by the plain conditions — the answer is the plain search's all the same
(``test_search_index``'s terms compare it too)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.projects import search
from zhaoshang.projects.models import Project
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

# Texts a caseless term could be mistaken in: full-width and superscript digits, circled
# numbers, Roman numerals (they have case), a compatibility ideograph (U+F900, outside
# ``CASELESS``), Latin around them.
NAMES = [
    ("鑫源２０２４扩建²", "鑫达①有限公司"),
    ("金鑫2024Ⅻ期", "ⅻ金属制品有限公司"),
    ("㐀扩建20２4", "\uf900Ab有限公司"),
    ("兴业电子", "鑫鑫鑫 2024 公司"),
]


@pytest.fixture
def projects(world):
    district = world.project1_a.district
    return [
        ProjectFactory(
            district=district,
            name=name,
            enterprise=EnterpriseFactory(district=district, name=enterprise),
        )
        for name, enterprise in NAMES
    ]


def _answer(term: str, **kwargs) -> list[int]:
    found = Project.objects.search(term, **kwargs).order_by("code", "pk")
    return list(found.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tokenizer")
def test_no_character_folds_into_a_caseless_one():
    """FTS5's trigram tokenizer (this SQLite's) folds no character into a digit or a Chinese
    character, and none of those into another: what ``search.exact`` rests on."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    pad = "\x1f\x1f"
    chars = [chr(c) for c in range(1, 0x20000) if not 0xD800 <= c <= 0xDFFF]
    db.executemany("INSERT INTO t(rowid, a) VALUES (?, ?)", [(ord(c), c + pad) for c in chars])
    terms = [term for (term,) in db.execute("SELECT term FROM v")]
    caseless = {c for c in chars if search.CASELESS.fullmatch(c)}
    assert len(caseless) == 10 + 6592 + 20992
    # each caseless character is its own trigram's first, and no other character is
    firsts = {term[0] for term in terms if term.endswith(pad)}
    assert caseless <= firsts
    assert len([t for t in terms if t[0] in caseless]) == len(caseless)


def test_which_terms_are_exact():
    sqlite = connection.vendor == "sqlite"
    for term in ("鑫", "电子", "2024", "数据中心2024扩建", "㐀"):
        assert search.exact(connection, term) is sqlite, term
    # letters (FTS5 folds more than LIKE does), spaces (the pinyin's form differs), others
    for term in ("Ab", "a", "电 子", "ß", "２０", "①", "Ⅻ", "\uf900", "%", ""):
        assert not search.exact(connection, term), term


@pytest.mark.parametrize(
    "term",
    ["鑫", "2", "20", "2024", "０", "鑫源", "扩建", "4", "鑫鑫", "\uf900", "Ⅻ", "ⅻ期", "Ab", "㐀"],
)
def test_keyed_answers_the_plain_search(world, projects, term):
    plain = _answer(term, indexed=False)
    assert _answer(term, keyed=True) == plain, term
    assert _answer(term) == plain, term


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables")
def test_the_registry_reads_a_caseless_terms_candidates_once(world, projects, client_for):
    """The registry searched by 鑫: one statement reads the page's keys and counts every
    match, each FTS5 table read once in it, no plain condition checked; the rows then by
    key."""
    client = client_for("bureau")
    client.get(reverse("projects:list"), {"q": "鑫"})  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("projects:list"), {"q": "鑫"})
    assert response.status_code == 200
    visible = Project.objects.visible_to(world.user_bureau)
    expected = set(visible.search("鑫", indexed=False).values_list("pk", flat=True))
    assert {p.pk for p in response.context["page"].object_list} == expected
    assert response.context["count"] == len(expected) == 4
    counted = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"] and "projects_project" in q["sql"]
    ]
    assert len(counted) == 1 and "OVER ()" in counted[0], counted
    sql = counted[0]
    assert " LIKE " not in sql and "projects_project_text MATCH" in sql, sql
    for table in (search.PROJECT_TEXT, search.ENTERPRISE_TEXT):
        assert sql.count(f"FROM {table} WHERE") == 1, sql
    assert re.search(r'"code" IN', sql) is None, sql
    # a term with letters is checked again by the plain conditions, in the same one statement
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("projects:list"), {"q": "Ab"})
    counted = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"] and "projects_project" in q["sql"]
    ]
    assert len(counted) == 1 and "OVER ()" in counted[0] and " LIKE " in counted[0], counted


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans without statistics")
@pytest.mark.parametrize("sort", ["-updated", "investment", "-investment", "stage", "code"])
def test_the_candidates_are_sought_whatever_the_order(world, projects, client_for, sort):
    """Unchecked by the plain conditions, the statement of the page's keys could be read off
    an index holding the district and the investment alone, which SQLite (guessing ten rows
    a district) walks whole: it seeks the candidates by key in any order, the same page."""
    client = client_for("bureau")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("projects:list"), {"q": "鑫", "sort": sort})
    keyed = [q["sql"] for q in ctx.captured_queries if "COUNT(*) OVER" in q["sql"]]
    assert len(keyed) == 1, keyed
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + keyed[0])
        found = " | ".join(str(row[-1]) for row in cursor.fetchall())
    # the projects read (the enterprises' lookup of their projects aside): by key, each one
    read = [part for part in found.split(" | ") if "projects_project USING" in part]
    read = [part for part in read if "(enterprise_id=?)" not in part]
    assert len(read) == 1, found
    assert "(district_id=? AND id=?" in read[0] or "INTEGER PRIMARY KEY" in read[0], found
    plain = registry_order(world, sort)
    assert [p.pk for p in response.context["page"].object_list] == plain


def registry_order(world, sort):
    from zhaoshang.projects.views.registry import SORTS, _stage_order_expression

    order = SORTS[sort]
    found = Project.objects.visible_to(world.user_bureau).search("鑫", indexed=False)
    if order.lstrip("-") == "stage_order":
        found = found.annotate(stage_order=_stage_order_expression())
    return list(found.order_by(order, "-id").values_list("pk", flat=True)[:25])
