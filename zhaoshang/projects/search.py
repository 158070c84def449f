"""The projects' search read off an index (issue 19.3): a term of three characters or more
(a code's year such as 2024, a piece of a credit code, a pinyin, a Chinese name of three
characters) finds its few projects through the database's own trigram index instead of
reading every project of the district; shorter terms (Chinese names are searched by one or
two characters) stay the plain walk, which a common character ends early.

The index is the database's, written with every row whatever writes it (a ``save``, a
queryset's ``update``, ``bulk_create``, raw SQL, ``loaddata``, an import), so it cannot miss
a project the way a table kept by Python did (docs/scaling.md, "Search grams: built,
measured, taken out"):

- **PostgreSQL**: ``pg_trgm`` GIN indexes on the very expressions Django writes for the
  search's lookups (``UPPER(name::text)`` for ``icontains``, ``name_initials::text`` for
  ``contains``), on the project's four searched columns and the enterprise's two. The
  project's and the enterprise's conditions are read as a union of two index scans (an OR
  across the join would defeat the indexes).
- **SQLite**: two FTS5 tables with the ``trigram`` tokenizer, of external content (the index
  only: the texts stay in their tables), kept by triggers on insert, update and delete of
  the project and enterprise rows. Their candidates are a superset of the plain answer (FTS5
  folds case wider than ``LIKE`` does) and are checked again by the plain conditions.

Either way the answer is the plain search's (``ProjectQuerySet.search``,
``tests/test_search_index.py``). The schema is made by migration ``0019_search_index``'s
``install`` on both paths to a database (the history replayed, or the tables made from the
models followed by every migration's data functions: ``core.migrating``); a later migration
that remakes ``projects_project`` or ``enterprises_enterprise`` on SQLite (an ``AlterField``)
drops their triggers with the old table and must call ``install`` again
(``testing/tests/test_migrations.py`` compares the triggers of both paths).
"""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, Q, Subquery
from django.db.models.expressions import RawSQL

#: The shortest term read off the index: a trigram's length.
MIN_INDEXED = 3

#: A term the index finds in this many projects (or enterprises) or more is searched plain.
COMMON = 1000

PROJECT_TEXT = "projects_project_text"
ENTERPRISE_TEXT = "projects_enterprise_text"

# (FTS5 table, content table, its searched columns)
_SQLITE_TABLES = (
    (PROJECT_TEXT, "projects_project", ("name", "code", "name_initials", "name_pinyin")),
    (ENTERPRISE_TEXT, "enterprises_enterprise", ("name", "credit_code")),
)

# (index, table, expression): the expressions Django writes for icontains (UPPER(col::text))
# and contains (col::text) on PostgreSQL.
_PG_INDEXES = (
    ("project_name_trgm", "projects_project", 'UPPER(("name")::text)'),
    ("project_code_trgm", "projects_project", 'UPPER(("code")::text)'),
    ("project_initials_trgm", "projects_project", '("name_initials")::text'),
    ("project_pinyin_trgm", "projects_project", '("name_pinyin")::text'),
    ("enterprise_name_trgm", "enterprises_enterprise", 'UPPER(("name")::text)'),
    ("enterprise_credit_code_trgm", "enterprises_enterprise", 'UPPER(("credit_code")::text)'),
)


def _sqlite_statements(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *columns))
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        f"content_rowid='id', tokenize='trigram', columnsize=0)",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {names} ON {table} "
        f"WHEN {changed} BEGIN {remove} {add} END",
        # the rows already there, read from the table in one statement
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def install(apps, schema_editor) -> None:
    """Make the search's indexes (and, on SQLite, fill them from the rows there): the
    forward function of migration ``projects.0019_search_index``."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, expression in _PG_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (({expression}) gin_trgm_ops)"
            )
        # The indexed expressions' statistics, on a database with projects already (an
        # upgrade): ANALYZE gathers an expression index's, without which the planner guesses
        # a handful of rows for any term and the common check reads a common term's whole
        # list off the index (有限公司 4–6 ms against 2–3 ms at 50,000 projects,
        # docs/scaling.md); autovacuum would gather them only after many writes. An empty
        # database (a new one, the tests') has nothing to gather: autovacuum's first pass
        # over the rows loaded does it.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM projects_project)")
            upgrade = cursor.fetchone()[0]
        if upgrade:
            schema_editor.execute("ANALYZE projects_project, enterprises_enterprise")
    elif vendor == "sqlite":
        uninstall(apps, schema_editor)
        for fts, table, columns in _SQLITE_TABLES:
            for sql in _sqlite_statements(fts, table, columns):
                schema_editor.execute(sql)


def uninstall(apps, schema_editor) -> None:
    """Drop what ``install`` made (the extension stays: other databases' objects may use it)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, _table, _expression in _PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        for fts, _table, _columns in _SQLITE_TABLES:
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


def indexed(text: str, lowered: str) -> bool:
    """Whether the index can answer ``text`` (and ``lowered``, the pinyin's form of it)."""
    return len(text) >= MIN_INDEXED and len(lowered) >= MIN_INDEXED and "\x00" not in text


def _phrase(text: str) -> str:
    """``text`` as an FTS5 string: everything inside double quotes is the phrase's text
    (``*``, ``-``, ``:``, ``%``, ``\\`` are plain characters there), a quote doubled."""
    return '"' + text.replace('"', '""') + '"'


class _AnyOf(Func):
    """SQL (PostgreSQL): the expression is one of the values a subquery reads, read as an
    array (``x = ANY(ARRAY(SELECT …))``)."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()


def own_matches(text: str, lowered: str) -> Q:
    """The plain search's conditions on the project's own texts (``lowered``: the term as the
    pinyin keys are written)."""
    return (
        Q(name__icontains=text)
        | Q(code__icontains=text)
        | Q(name_initials__contains=lowered)
        | Q(name_pinyin__contains=lowered)
    )


def enterprise_matches(text: str, prefix: str = "") -> Q:
    """The plain search's conditions on the enterprise's texts (``prefix``: the path to the
    enterprise, ``enterprise__`` from a project)."""
    return Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}credit_code__icontains": text})


def _pg_reads(text: str, lowered: str):
    """PostgreSQL: the projects matching ``text`` themselves, and the enterprises matching
    it, as querysets whose conditions the trigram indexes answer."""
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.projects.models import Project

    own = Project._base_manager.filter(own_matches(text, lowered)).order_by()
    enterprises = Enterprise._base_manager.filter(enterprise_matches(text)).order_by()
    return own, enterprises


def _sqlite_matches(text: str, lowered: str) -> tuple[str, str]:
    """SQLite: the FTS5 queries of the project's table and of the enterprise's."""
    own = f"{{name code}} : {_phrase(text)} OR {{name_initials name_pinyin}} : {_phrase(lowered)}"
    return own, _phrase(text)


def common(connection, text: str, lowered: str) -> bool:
    """Whether the index finds ``text`` (``lowered`` for the pinyin) in ``COMMON`` projects
    or ``COMMON`` enterprises or more: one statement, the ``COMMON``-th match of each looked
    up. For a term ``indexed``. SQLite's FTS5 reads at most ``COMMON`` entries of each table;
    PostgreSQL reads its GIN indexes as bitmaps of every match, the rows' recheck stopping
    at the ``COMMON``-th (有限公司 at 50,000 enterprises: 2–3 ms with the indexed
    expressions' statistics, which ``install`` gathers; 4–6 ms without)."""
    if connection.vendor == "postgresql":
        own, enterprises = _pg_reads(text, lowered)
        parts = [
            reads.values("pk")[COMMON - 1 : COMMON].query.get_compiler(connection=connection)
            for reads in (own, enterprises)
        ]
        (own_sql, own_params), (enterprise_sql, enterprise_params) = (
            part.as_sql() for part in parts
        )
        sql = f"SELECT EXISTS ({own_sql}) OR EXISTS ({enterprise_sql})"
        params = (*own_params, *enterprise_params)
    else:
        nth = "EXISTS (SELECT 1 FROM {0} WHERE {0} MATCH %s LIMIT 1 OFFSET {1})"
        sql = (
            f"SELECT {nth.format(PROJECT_TEXT, COMMON - 1)}"
            f" OR {nth.format(ENTERPRISE_TEXT, COMMON - 1)}"
        )
        params = _sqlite_matches(text, lowered)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def condition(connection, text: str, lowered: str) -> Q | None:
    """The projects that may match ``text`` (``lowered`` for the pinyin), read off the
    index — or None when the term is too short to be read there, the database has no such
    index, or the term is ``common``. On PostgreSQL exactly the matches; on SQLite a
    superset, which the plain conditions trim.

    A term the index finds in ``COMMON`` projects or enterprises or more (有限公司, a
    district's code prefix) is not read off it (one statement asks the index first,
    ``common``): the plain walk answers, which a page of the first matches in an index's
    order ends early (the index's list of every match would cost more than that walk
    saves). A rare term's condition is a plain AND, so that the planner starts from its few
    candidates rather than walking the district's projects in the page's order and testing
    each (issue 19.3: the autocomplete's 20 by code, the registry's page by date)."""
    if connection.vendor not in ("postgresql", "sqlite") or not indexed(text, lowered):
        return None
    if common(connection, text, lowered):
        return None
    from zhaoshang.projects.models import Project

    if connection.vendor == "postgresql":
        own, enterprises = _pg_reads(text, lowered)
        by_enterprise = Project._base_manager.filter(enterprise__in=enterprises.values("pk"))
        few = own.values("pk").union(by_enterprise.order_by().values("pk"))
        # Read as an array (``id = ANY(ARRAY(…))``), which the planner takes for a few keys
        # and seeks by the primary key: as a list (``id IN (…)``) it trusts its guess of the
        # candidates, which without statistics on the indexed expressions (indexes made
        # after the last ANALYZE) was 1,653 for 2024 where 40 were found, and hashed them
        # against a scan of the whole district. (Fewer than COMMON: seeking each is cheap.)
        return Q(_AnyOf(F("pk"), Subquery(few)))
    own, enterprise = _sqlite_matches(text, lowered)
    few = RawSQL(
        f"SELECT rowid FROM {PROJECT_TEXT} WHERE {PROJECT_TEXT} MATCH %s"
        " UNION SELECT id FROM projects_project WHERE enterprise_id IN"
        f" (SELECT rowid FROM {ENTERPRISE_TEXT} WHERE {ENTERPRISE_TEXT} MATCH %s)",
        [own, enterprise],
    )
    # Without statistics SQLite takes the district's index that gives the page's order
    # (district and code, district and date) for the cheaper path and tests every project
    # of the district against the candidates; their codes (unique) name the same projects,
    # as keys of an index it seeks instead.
    codes = Project._base_manager.filter(pk__in=few).order_by().values("code")
    return Q(pk__in=few) & Q(code__in=codes)
