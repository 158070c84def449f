"""The folded rows (``projects.search_folded``): the lists that read every match of a
common term (the API's count, an export) search one narrow row a project instead of joining
its enterprise and folding six texts; the answer is the plain search's for any term, and
every path that writes a project or an enterprise keeps the rows right (triggers). Also the
API's list searched off the index: its page's keys read with the count, the rows by key —
the same answer, the same errors."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhaoshang.enterprises.models import Enterprise
from zhaoshang.projects import search, search_folded
from zhaoshang.projects.api import ProjectFilter
from zhaoshang.projects.models import Project
from zhaoshang.projects.tests.test_search_index import (
    ODD,
    _terms,
    common_plainly,
    make_projects,
)
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.projects import ProjectFactory
from zhaoshang.testing.plans import plan as plan_of

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's functions' statistics"
)


@pytest.fixture
def projects(world):
    return make_projects(world)


# A term matched anywhere is common at this threshold: the folded rows answer it.
EVERY = 1


def _sql(queryset) -> str:
    try:
        return str(queryset.query)
    except EmptyResultSet:  # nothing holds the term: no statement at all
        return ""


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("code", "pk").values_list("pk", flat=True))


def test_the_folded_rows_answer_what_the_plain_search_answers(world, projects):
    terms = _terms()
    odd = [t for t in terms if any(c in t for c in "%_\"*\\'-:")]
    terms = random.Random(22).sample(terms, 250) + odd[:100] + ODD + ["有限公司", "电", "ss"]
    folded = found = 0
    for term in terms:
        answer = Project.objects.search(term, common=EVERY)
        assert _ids(answer) == _ids(Project.objects.search(term, indexed=False)), term
        folded += search_folded.TABLE in _sql(answer)
        found += bool(_ids(answer))
    # most terms were read off the folded rows, and most found something
    assert folded > 0.6 * len(terms) and found > 0.6 * len(terms)


def test_a_common_term_of_a_list_of_every_match_reads_the_folded_rows(world, projects):
    """The API's count of a common term: the folded rows and the district's keys, no
    enterprise joined, no text folded per row (有限公司 at 50,000 projects: 160 → 46 ms)."""
    district = world.project1_a.district
    ProjectFactory(district=district, name="电网改造", enterprise=None)
    found = Project.objects.filter(district_id=district.pk).search("电", common=EVERY)
    plan = plan_of(found.order_by(), off=())
    assert "zs_f" in plan and "enterprises_enterprise" not in plan, plan
    if connection.vendor == "postgresql":
        assert "upper" not in plan.lower().replace("upper($", ""), plan
    plain = Project.objects.filter(district_id=district.pk).search("电", indexed=False)
    assert _ids(found) == _ids(plain) and found.count() == plain.count()
    # a page that stops at its first matches still walks (the registry, the autocomplete)
    walked = Project.objects.filter(district_id=district.pk).search("电", common=2, by_code=True)
    assert search_folded.TABLE not in str(walked.query)


def test_a_chinese_term_reads_the_codes_and_keys_of_wide_rows_only(world, projects):
    """A term of Chinese characters cannot be in codes or keys of ASCII alone, so only the
    ``wide`` rows' are read — and those still answer: a code written in Chinese, a
    character the pinyin's table lacks kept in the keys (where no name holds the term)."""
    coded, kept = projects[0], projects[1]
    Project.objects.filter(pk=coded.pk).update(code="西城2024甲")
    Project.objects.filter(pk=kept.pk).update(name_initials="㐀2", name_pinyin="㐀2")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {search_folded.TABLE} WHERE wide")
        wide = {row[0] for row in cursor.fetchall()}
    assert {coded.pk, kept.pk} <= wide < set(Project.objects.values_list("pk", flat=True))
    for term, expected in (("西城2", [coded.pk]), ("㐀2", [kept.pk]), ("2024甲", [coded.pk])):
        answer = Project.objects.search(term, common=EVERY)
        assert "wide" in _sql(answer), term
        assert _ids(answer) == _ids(Project.objects.search(term, indexed=False)) == expected
    # a term of ASCII alone (a code's digits, a pinyin) reads every row's codes and keys
    for term in ("2024", "d", "dian"):
        answer = Project.objects.search(term, common=EVERY)
        assert search_folded.TABLE in _sql(answer) and "wide" not in _sql(answer), term
        assert _ids(answer) == _ids(Project.objects.search(term, indexed=False)), term


def _counted(queryset) -> tuple[int, str]:
    """``queryset.count()`` and the statement it ran."""
    with CaptureQueriesContext(connection) as queries:
        found = queryset.count()
    return found, queries[-1]["sql"]


def test_a_district_searched_by_a_common_term_is_counted_off_its_folded_rows(world, projects):
    """The API's count: a district's projects (or every project) holding a common term are
    counted off the folded rows alone, no project joined — the plain count, for any term;
    a list holding anything else (a park, an enterprise, a related row's text) is counted
    as usual, the same answer."""
    district = world.project1_a.district
    other = world.project1_b.district
    Project.objects.filter(pk=projects[0].pk).update(district=other)  # its row follows
    terms = random.Random(24).sample(_terms(), 60) + ["有限公司", "电", "dian", "2024", "ZZ"]
    alone = 0
    for term in terms:
        for scope in (Project.objects.filter(district_id=district.pk), Project.objects.all()):
            plain = scope.search(term, indexed=False).count()
            found, sql = _counted(scope.search(term, common=EVERY))
            assert found == plain, term
            if search_folded.TABLE in sql:
                assert 'projects_project"' not in sql and "projects_project " not in sql, sql
                alone += 1
        # anything else: counted with the join, the same answer
        for narrowed in (
            Project.objects.filter(district_id=district.pk, park=world.project1_a.park),
            Project.objects.filter(enterprise__name__contains="有限"),
            Project.objects.exclude(district_id=other.pk),
        ):
            found, sql = _counted(narrowed.search(term, common=EVERY))
            assert found == narrowed.search(term, indexed=False).count(), term
            assert "projects_project" in sql, sql
    assert alone > len(terms)  # most terms, both scopes


def test_the_api_counts_a_common_term_off_the_folded_rows(world, projects, client_for, monkeypatch):
    """The bureau's API list searched by a common term: its count is the plain count, read
    off the folded rows alone."""
    # every term found is common here
    monkeypatch.setattr(
        ProjectFilter, "search", lambda self, qs, name, value: qs.search(value, common=EVERY)
    )
    client = client_for("bureau")
    district = world.project1_a.district
    for term in ("有限公司", "电"):
        plain = Project.objects.filter(district=district).search(term, indexed=False).count()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/projects/", {"q": term})
        assert response.status_code == 200 and response.json()["count"] == plain > 0
        counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
        assert counts and all(search_folded.TABLE in sql for sql in counts), counts
        assert not any('FROM "projects_project"' in sql for sql in counts), counts


def test_a_term_holding_the_separator_is_searched_plain(world, projects):
    term = "电子\x1f成都"
    assert not search_folded.usable(connection, term, term)
    found = Project.objects.search(term, common=EVERY)
    assert search_folded.TABLE not in str(found.query) and _ids(found) == []


def _stale() -> list[tuple]:
    """The folded rows that differ from what the projects and enterprises now say (missing,
    extra or different)."""
    vendor = connection.vendor
    expected = search_folded._rows("p", "e", vendor, search_folded._ALL)
    kept = f"SELECT id, {search_folded.COLUMNS} FROM {search_folded.TABLE}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({expected} EXCEPT {kept}) AS missing"
            f" UNION ALL SELECT * FROM ({kept} EXCEPT {expected}) AS extra"
        )
        return cursor.fetchall()


def _calls(function: str) -> int:
    """How often ``function`` ran in this transaction (``track_functions``, set below)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = %s",
            [function],
        )
        return cursor.fetchone()[0]


def test_every_write_path_keeps_the_folded_rows(world, projects):
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL track_functions = 'pl'")
    first, second, third = projects[0], projects[1], projects[2]
    assert _stale() == []
    # a save, a queryset's update, raw SQL
    first.name = "跨境电商物流园"
    first.save()
    Project.objects.filter(pk=second.pk).update(name_pinyin="lanhai", name_initials="lh")
    Project.objects.filter(pk=projects[6].pk).update(district=world.project1_b.district)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_project SET code = %s WHERE id = %s", ["QX-1", third.pk])
    assert _stale() == []
    # an update naming no searched text fires nothing (the daily scan's lights), nor one
    # naming a text it leaves as it was (a save writes every column)
    before = _calls("zs_folded_changed") if postgresql else 0
    Project.objects.update(light_level=2)
    first.save()
    assert (_calls("zs_folded_changed") if postgresql else 0) == before
    # the enterprise: renamed (by update and by save), changed, removed from the project
    Enterprise.objects.filter(pk=second.enterprise_id).update(
        name="蓝海储能有限公司", credit_code="91510100MA7788XYZ0"
    )
    enterprise = third.enterprise
    enterprise.name = "天府新材料有限公司"
    enterprise.save()
    Project.objects.filter(pk=first.pk).update(enterprise=third.enterprise)
    Project.objects.filter(pk=projects[3].pk).update(enterprise=None)
    assert _stale() == []
    assert first.pk in _ids(Project.objects.search("天府新材料", common=EVERY))
    # bulk_create, delete by the ORM and by raw SQL
    values = {f.attname: getattr(first, f.attname) for f in Project._meta.concrete_fields}
    values.update(id=None, name="北斗导航应用中心", code="BD-9911-01")
    (made,) = Project.objects.bulk_create([Project(**values)])
    assert _stale() == []
    Project.objects.filter(pk=made.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_project WHERE id = %s", [projects[4].pk])
    assert _stale() == []
    # a project written before its enterprise in one transaction (the key checked at commit)
    with transaction.atomic():
        key = Enterprise.objects.order_by("-pk").values_list("pk", flat=True)[0] + 100
        Project.objects.filter(pk=projects[5].pk).update(enterprise_id=key)
        late = EnterpriseFactory.build(district=first.district, name="后到企业有限公司")
        late.pk = key
        late.save(force_insert=True)
    assert _stale() == []
    assert projects[5].pk in _ids(Project.objects.search("后到企业", common=EVERY))
    if postgresql:
        # the table truncated (the tests' flush): its rows go with it
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the keys checked before it
            cursor.execute("TRUNCATE projects_project CASCADE")
            cursor.execute(f"SELECT count(*) FROM {search_folded.TABLE}")
            assert cursor.fetchone()[0] == 0


def test_without_the_triggers_the_rows_go_stale(world, projects):
    """The check above can fail: a write no trigger sees leaves a stale row (the trigger
    dropped inside the test's transaction, which puts it back)."""
    with connection.cursor() as cursor:
        on = " ON projects_project" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER zs_folded_update{on}")
        cursor.execute(
            "UPDATE projects_project SET name = '无人知晓' WHERE id = %s", [projects[0].pk]
        )
    assert [row[0] for row in _stale()] == [projects[0].pk, projects[0].pk]


def _api_answer(client, params: dict) -> tuple[int, dict | None]:
    response = client.get("/api/v1/projects/", params)
    return response.status_code, response.json() if response.status_code == 200 else None


@pytest.mark.parametrize("ordering", [None, "name", "-total_investment"])
def test_the_api_list_searched_off_the_index_pages_as_before(
    world, projects, client_for, monkeypatch, ordering
):
    """A term read off the index (``sought``): the page's keys with the count in one
    statement, the rows by key. The same count, rows and order as the plain search's list
    (``indexed=False``: the paginator's usual count, then the page), page by page; the same
    404 for a page past the matches, before the first or not a number; ``last`` too."""
    district = world.project1_a.district
    for n in range(7):
        ProjectFactory(district=district, name=f"华鑫配套{n}号厂房", total_investment=1000 + n)
    client = client_for("bureau")
    base = {"q": "华鑫", "page_size": 3, **({"ordering": ordering} if ordering else {})}
    pages = (1, 2, 3, "last")
    keyed = [_api_answer(client, {**base, "page": n}) for n in pages]
    errors = [_api_answer(client, {**base, "page": n})[0] for n in (9, 0, "x")]
    with CaptureQueriesContext(connection) as queries:
        _api_answer(client, {**base, "page": 2})
    statements = [q["sql"] for q in queries.captured_queries]
    assert sum("OVER ()" in sql for sql in statements) == 1, statements
    assert not any("COUNT(*) AS" in sql for sql in statements), statements
    if connection.vendor == "sqlite":
        # every candidate by its key (``every``): a caseless term's are exactly its matches,
        # not checked again by the plain conditions (six LIKEs, the enterprise joined) nor
        # read a second time by their codes
        (keyed_sql,) = [sql for sql in statements if "OVER ()" in sql]
        assert " LIKE " not in keyed_sql and '"code" IN' not in keyed_sql, keyed_sql
    # the plain search: not read off the index, so counted and paged as any list
    monkeypatch.setattr(
        ProjectFilter, "search", lambda self, qs, name, value: qs.search(value, indexed=False)
    )
    plain = [_api_answer(client, {**base, "page": n}) for n in pages]
    assert keyed == plain
    assert keyed[0][1]["count"] >= 8 and len(keyed[2][1]["results"]) >= 2
    assert errors == [_api_answer(client, {**base, "page": n})[0] for n in (9, 0, "x")]
    assert errors == [404, 404, 404]


@on_postgresql
def test_a_short_terms_common_check_reads_the_indexes(world, projects):
    """A short term's common check runs with whole reads off (``zs_seek``): the planner read
    the table up to the threshold's match for a letter nearly every pinyin holds, computing
    each row's characters and pairs (a, d, z at 50,000 projects: 37–41 ms, 4–5 off the
    indexes). One statement; the same answer; a long term's check is the plain statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT zs_seek('SELECT current_setting(''enable_seqscan'') = ''off''', '{}')"
        )
        assert cursor.fetchone()[0] is True
    for term, threshold in (("z", 1), ("电", 2), ("电", 500), ("有限公司", 2), ("鑫", 1)):
        with CaptureQueriesContext(connection) as queries:
            answer = search.common(connection, term, term.lower(), threshold)
        (statement,) = [q["sql"] for q in queries.captured_queries]
        assert statement.startswith("SELECT zs_seek(") == (len(term) <= 2), statement
        expected = common_plainly(term, threshold)
        assert answer == expected, (term, threshold)
