"""Each project's searched texts in one narrow row, folded as the search compares them
(``projects_project_folded``), kept in step by triggers — for the lists that read every match
of a common term (issue 19.3: the API's list counts them all; an export).

A term common in the district (有限公司 in nearly every enterprise's name, 电 in a fifth of
the projects' names) is not read off the search's indexes (``search.common``: the index's
list of every match would cost more than the walk). A page that stops at its first matches
walks (``search.pg_walked``); a list that counts every match read each project of the
district with its enterprise and folded six texts a row (``UPPER(…) LIKE``, 160 ms for the
API's count of 有限公司 at 50,000 projects). Here one row holds

    texts  UPPER(the enterprise's name) US UPPER(name)
    codes  UPPER(code) US UPPER(its credit code)
    keys   name_initials US name_pinyin
    wide   whether the codes or the keys hold a character outside ASCII (generated)

(US: the unit separator, U+001F, which no searched text holds and a term holding it is not
read here): a term is in one of the texts exactly when it is in the row's ``texts`` or
``codes`` (as ``icontains`` compares, both upper-cased) or its ``keys`` (as ``contains``
compares the pinyin's), ``LIKE``s on a narrow row without the join — and a term of Chinese
characters only in the ``texts`` of a row not ``wide`` (``condition``). The same projects as
the plain search's conditions (``search.own_matches`` | ``search.enterprise_matches``).

The triggers: a project inserted (per statement: a bulk insert is one more statement), its
texts or enterprise changed (per row, only when one of them changed: the daily scan's
``UPDATE`` of the lights names no such column and fires none), deleted, or the table
truncated (the tests' flush); an enterprise renamed or its credit code changed (its
projects' rows), or inserted (a project written before its enterprise in one transaction,
the foreign key being checked at commit).

SQLite: the same table and triggers (per row: SQLite has no others), its texts as they are —
SQLite's ``LIKE``, which both ``icontains`` and ``contains`` are there, folds ASCII letters
itself — and a term of Chinese characters and digits (``search.CASELESS``, which ``LIKE``
folds nothing of) looked for with ``instr`` (a plain search for bytes, several times cheaper
than ``LIKE``'s per character compare). A district's count reads its rows alone
(``count``, no project joined): at 50,000 projects the API's count of 有限公司 53–59 → 15 ms
on SQLite, 160 → 12 ms on PostgreSQL.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND

from zhaoshang.core.querysets import joined
from zhaoshang.projects.search import CASELESS

TABLE = "projects_project_folded"

#: What separates a row's texts; a term holding it is searched plain (``usable``).
SEPARATOR = "\x1f"


def _fold(column: str, vendor: str) -> str:
    """A text as the search compares it: upper-cased on PostgreSQL (``icontains``), as it
    is on SQLite."""
    return f"UPPER({column})" if vendor == "postgresql" else column


def _texts(project: str, enterprise: str, vendor: str) -> str:
    """The ``texts`` of a project row and its enterprise's: the enterprise's name first (a
    term in it, 有限公司, is found before the project's name is read)."""
    us = _separator(vendor)
    return f"COALESCE({_fold(f'{enterprise}.name', vendor)}, '') || {us} || " + _fold(
        f"{project}.name", vendor
    )


def _codes(project: str, enterprise: str, vendor: str) -> str:
    """The ``codes``: the project's code and its enterprise's credit code."""
    us = _separator(vendor)
    credit = _fold(f"{enterprise}.credit_code", vendor)
    return f"{_fold(f'{project}.code', vendor)} || {us} || COALESCE({credit}, '')"


def _keys(project: str, vendor: str) -> str:
    return f"{project}.name_initials || {_separator(vendor)} || {project}.name_pinyin"


def _separator(vendor: str) -> str:
    """``SEPARATOR`` in SQL."""
    return "chr(31)" if vendor == "postgresql" else "char(31)"


_PROJECT_TEXTS = ("district_id", "name", "code", "name_initials", "name_pinyin", "enterprise_id")
_ENTERPRISE_TEXTS = ("name", "credit_code")


def _changed(columns, differ: str) -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


def _wide(codes: str, keys: str, vendor: str) -> str:
    """SQL: whether the codes or the keys hold a character outside ASCII (more bytes than
    characters)."""
    both = f"{codes} || {keys}"
    if vendor == "postgresql":
        return f"(octet_length({both}) <> char_length({both}))"
    return f"(length(CAST({both} AS BLOB)) <> length({both}))"


def _rows(project: str, enterprise: str, vendor: str, source: str) -> str:
    """SQL: ``id`` and the ``COLUMNS`` of the projects ``source`` reads (``FROM …``, naming
    the project ``project`` and its enterprise ``enterprise``)."""
    texts = ", ".join(
        (
            f"{project}.id AS id",
            f"{project}.district_id AS district_id",
            f"{_texts(project, enterprise, vendor)} AS texts",
            f"{_codes(project, enterprise, vendor)} AS codes",
            f"{_keys(project, vendor)} AS keys",
        )
    )
    return (
        f"SELECT id, district_id, texts, codes, keys, {_wide('codes', 'keys', vendor)}"
        f" FROM (SELECT {texts} {source}) AS zs_r"
    )


#: What a row holds besides its key. ``wide``: the codes or the keys hold a character
#: outside ASCII (a code written in Chinese, a character the pinyin's table lacks kept as it
#: is) — only such a row's codes and keys can hold a term that holds one (``condition``).
#: Written by the triggers, not generated: a copy of the table (the tests' snapshot) is
#: then a plain ``INSERT … SELECT *``.
COLUMNS = "district_id, texts, codes, keys, wide"


def _table(vendor: str) -> str:
    key, flag = ("bigint", "boolean") if vendor == "postgresql" else ("integer", "integer")
    return (
        f"CREATE TABLE {TABLE} (id {key} PRIMARY KEY, district_id {key} NOT NULL,"
        f" texts text NOT NULL, codes text NOT NULL, keys text NOT NULL, wide {flag} NOT NULL)"
    )


#: A district's rows, which its count reads (``count``) — not the city's or the province's.
_DISTRICT_INDEX = f"CREATE INDEX {TABLE}_district ON {TABLE} (district_id)"


def _pg_statements() -> list[str]:
    pg = "postgresql"
    upsert = (
        "ON CONFLICT (id) DO UPDATE SET district_id = EXCLUDED.district_id,"
        " texts = EXCLUDED.texts, codes = EXCLUDED.codes, keys = EXCLUDED.keys,"
        " wide = EXCLUDED.wide"
    )

    added = "FROM zs_added p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id"
    changed = (
        "FROM (SELECT 1) AS one LEFT JOIN enterprises_enterprise e ON e.id = NEW.enterprise_id"
    )

    def of_enterprise(e: str) -> str:
        codes = _codes("p", e, pg)
        return f"texts = {_texts('p', e, pg)}, codes = {codes}, wide = {_wide(codes, 'f.keys', pg)}"

    functions = {
        # projects inserted: their rows, read with their enterprises in one statement
        "zs_folded_added": f"""
            INSERT INTO {TABLE} (id, {COLUMNS})
            {_rows("p", "e", pg, added)}
            {upsert};""",
        # a project's texts or enterprise changed
        "zs_folded_changed": f"""
            IF OLD.id <> NEW.id THEN
                DELETE FROM {TABLE} WHERE id = OLD.id;
            END IF;
            INSERT INTO {TABLE} (id, {COLUMNS})
            {_rows("NEW", "e", pg, changed)}
            {upsert};""",
        "zs_folded_removed": f"DELETE FROM {TABLE} f USING zs_removed r WHERE f.id = r.id;",
        "zs_folded_truncated": f"TRUNCATE {TABLE};",
        # an enterprise's texts changed, or enterprises inserted: their projects' rows
        "zs_folded_enterprise": f"""
            UPDATE {TABLE} f SET {of_enterprise("NEW")}
            FROM projects_project p WHERE p.enterprise_id = NEW.id AND f.id = p.id;""",
        "zs_folded_enterprises_added": f"""
            UPDATE {TABLE} f SET {of_enterprise("e")}
            FROM zs_added e JOIN projects_project p ON p.enterprise_id = e.id
            WHERE f.id = p.id;""",
    }
    triggers = {
        "zs_folded_insert": "AFTER INSERT ON projects_project REFERENCING NEW TABLE AS"
        " zs_added FOR EACH STATEMENT EXECUTE FUNCTION zs_folded_added()",
        "zs_folded_update": f"AFTER UPDATE OF id, {', '.join(_PROJECT_TEXTS)}"
        " ON projects_project FOR EACH ROW"
        f" WHEN (OLD.id <> NEW.id OR {_changed(_PROJECT_TEXTS, 'IS DISTINCT FROM')})"
        " EXECUTE FUNCTION zs_folded_changed()",
        "zs_folded_delete": "AFTER DELETE ON projects_project REFERENCING OLD TABLE AS"
        " zs_removed FOR EACH STATEMENT EXECUTE FUNCTION zs_folded_removed()",
        "zs_folded_truncate": "AFTER TRUNCATE ON projects_project FOR EACH STATEMENT"
        " EXECUTE FUNCTION zs_folded_truncated()",
        "zs_folded_enterprise_update": f"AFTER UPDATE OF {', '.join(_ENTERPRISE_TEXTS)}"
        " ON enterprises_enterprise FOR EACH ROW"
        f" WHEN ({_changed(_ENTERPRISE_TEXTS, 'IS DISTINCT FROM')})"
        " EXECUTE FUNCTION zs_folded_enterprise()",
        "zs_folded_enterprise_insert": "AFTER INSERT ON enterprises_enterprise REFERENCING"
        " NEW TABLE AS zs_added FOR EACH STATEMENT EXECUTE FUNCTION"
        " zs_folded_enterprises_added()",
    }
    return [
        _table(pg),
        _DISTRICT_INDEX,
        *(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$"
            for name, body in functions.items()
        ),
        *(f"CREATE TRIGGER {name} {definition}" for name, definition in triggers.items()),
    ]


def _sqlite_statements() -> list[str]:
    lite = "sqlite"
    source = "FROM (SELECT 1) LEFT JOIN enterprises_enterprise e ON e.id = NEW.enterprise_id"
    row = f"INSERT OR REPLACE INTO {TABLE} (id, {COLUMNS}) {_rows('NEW', 'e', lite, source)};"
    codes = _codes("p", "NEW", lite)
    of_enterprise = (
        f"UPDATE {TABLE} SET (texts, codes, wide) = (SELECT {_texts('p', 'NEW', lite)},"
        f" {codes}, {_wide(codes, f'{TABLE}.keys', lite)}"
        f" FROM projects_project p WHERE p.id = {TABLE}.id)"
        " WHERE id IN (SELECT id FROM projects_project WHERE enterprise_id = NEW.id);"
    )
    return [
        _table(lite),
        _DISTRICT_INDEX,
        f"CREATE TRIGGER zs_folded_insert AFTER INSERT ON projects_project BEGIN {row} END",
        f"CREATE TRIGGER zs_folded_update AFTER UPDATE OF id, {', '.join(_PROJECT_TEXTS)}"
        f" ON projects_project WHEN {_changed(('id', *_PROJECT_TEXTS), 'IS NOT')}"
        f" BEGIN DELETE FROM {TABLE} WHERE id = OLD.id; {row} END",
        "CREATE TRIGGER zs_folded_delete AFTER DELETE ON projects_project"
        f" BEGIN DELETE FROM {TABLE} WHERE id = OLD.id; END",
        f"CREATE TRIGGER zs_folded_enterprise_update AFTER UPDATE OF"
        f" {', '.join(_ENTERPRISE_TEXTS)} ON enterprises_enterprise"
        f" WHEN {_changed(_ENTERPRISE_TEXTS, 'IS NOT')} BEGIN {of_enterprise} END",
        "CREATE TRIGGER zs_folded_enterprise_insert AFTER INSERT ON enterprises_enterprise"
        f" BEGIN {of_enterprise} END",
    ]


#: Each trigger and its table (the same names on both databases).
_TRIGGERS = {
    "zs_folded_insert": "projects_project",
    "zs_folded_update": "projects_project",
    "zs_folded_delete": "projects_project",
    "zs_folded_truncate": "projects_project",
    "zs_folded_enterprise_update": "enterprises_enterprise",
    "zs_folded_enterprise_insert": "enterprises_enterprise",
}
_PG_FUNCTIONS = (
    "zs_folded_added",
    "zs_folded_changed",
    "zs_folded_removed",
    "zs_folded_truncated",
    "zs_folded_enterprise",
    "zs_folded_enterprises_added",
)


#: Every project, with its enterprise.
_ALL = "FROM projects_project p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id"


def install(apps, schema_editor) -> None:
    """Migration ``projects.0022_search_folded``: the table, its triggers, and its rows of
    the projects there (an upgrade)."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    uninstall(apps, schema_editor)
    statements = _pg_statements() if vendor == "postgresql" else _sqlite_statements()
    for sql in statements:
        schema_editor.execute(sql)
    schema_editor.execute(f"INSERT INTO {TABLE} (id, {COLUMNS}) {_rows('p', 'e', vendor, _ALL)}")


def uninstall(apps, schema_editor) -> None:
    """Drop what ``install`` made (the migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, table in _TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in _PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    elif vendor == "sqlite":
        for name in _TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def usable(connection, text: str, lowered: str) -> bool:
    """Whether ``text`` can be searched in the folded rows: a term without the separator, on
    PostgreSQL or SQLite."""
    return connection.vendor in ("postgresql", "sqlite") and SEPARATOR not in text + lowered


class _Holds(Func):
    """SQL: the project's folded row holds the term (``condition``'s), an EXISTS by key."""

    output_field = BooleanField()

    def __init__(self, sql: str, params: tuple):
        self.sql, self.params = sql, params
        super().__init__(F("pk"))

    def as_sql(self, compiler, connection, **extra):
        key, key_params = compiler.compile(self.source_expressions[0])
        sql = f"EXISTS (SELECT 1 FROM {TABLE} zs_f WHERE zs_f.id = {key} AND ({self.sql}))"
        return sql, (*key_params, *self.params)


def condition(connection, text: str, lowered: str) -> Q:
    """The projects holding ``text`` (``lowered`` for the pinyin) in one of the searched
    texts, read off the folded rows: each project's row sought by its key, which a count
    reads as a semi-join (PostgreSQL hashes one read of the narrow table) and an ordered
    page as a walk of the project's index that stops at its page (SQLite's ``IN`` read the
    whole table first: the page of 有限公司 at 50,000 projects 15 ms, 0.2 walked).

    A term of Chinese characters (and digits: ``search.CASELESS``, which no case folds)
    holds a character outside ASCII, which codes and keys of ASCII alone cannot hold: only
    the ``wide`` rows' are read (the codes and keys are half of a row's bytes: 电's count at
    50,000 projects 29 → 22 ms on PostgreSQL)."""
    caseless = CASELESS.fullmatch(text) is not None
    if connection.vendor == "sqlite" and caseless:
        texts = "instr(zs_f.texts, %s) > 0"
        others = "instr(zs_f.codes, %s) > 0 OR instr(zs_f.keys, %s) > 0"
        params = (text, text, lowered)
    else:
        like = connection.ops.prep_for_like_query
        fold = "UPPER(%s)" if connection.vendor == "postgresql" else "%s"
        escape = "" if connection.vendor == "postgresql" else " ESCAPE '\\'"
        texts = f"zs_f.texts LIKE {fold}{escape}"
        others = f"zs_f.codes LIKE {fold}{escape} OR zs_f.keys LIKE %s{escape}"
        params = (f"%{like(text)}%", f"%{like(text)}%", f"%{like(lowered)}%")
    if caseless and not text.isascii():
        return Q(_Holds(f"{texts} OR (zs_f.wide AND ({others}))", params))
    return Q(_Holds(f"{texts} OR {others}", params))


def count(queryset) -> int | None:
    """How many projects ``queryset`` holds, read off the folded rows alone when it holds
    nothing but a district's projects (or every project) holding a term (``condition``):
    ``SELECT COUNT(*)`` of the district's rows that hold it — or None for any other
    queryset (another condition, a join, a slice, an aggregate …), counted as usual.

    The usual count joins each project of the district to its row (PostgreSQL hashed the
    50,000 rows of the district and probed them: 42 ms for 有限公司, 13 of them reading the
    rows), though a row names its project's district itself."""
    query = queryset.query
    where = query.where
    if (
        query.is_sliced
        or query.distinct
        or query.combinator
        or query.extra
        or query.extra_tables
        or query.group_by is not None
        or where.connector != AND
        or where.negated
        or any(getattr(a, "contains_aggregate", True) for a in query.annotations.values())
        or joined(query)
    ):
        return None
    holds = district = None
    for child in where.children:
        if not isinstance(child, Exact):
            return None
        if isinstance(child.lhs, _Holds) and child.rhs is True and holds is None:
            holds = child.lhs
        elif (
            isinstance(child.lhs, Col)
            and child.lhs.alias == query.base_table
            and child.lhs.target.column == "district_id"
            and type(child.rhs) is int
            and district is None
        ):
            district = child.rhs
        else:
            return None
    if holds is None:
        return None
    sql = f"SELECT COUNT(*) FROM {TABLE} zs_f WHERE ({holds.sql})"
    params = list(holds.params)
    if district is not None:
        sql += " AND zs_f.district_id = %s"
        params.append(district)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
