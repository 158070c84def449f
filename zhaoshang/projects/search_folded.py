"""Each project's searched texts in one narrow row, folded as the search compares them
(``projects_project_folded``), kept in step by triggers — for the lists that read every match
of a common term (issue 19.3: the API's list counts them all; an export).

A term common in the district (有限公司 in nearly every enterprise's name, 电 in a fifth of
the projects' names) is not read off the search's indexes (``search.common``: the index's
list of every match would cost more than the walk). A page that stops at its first matches
walks (``search.pg_walked``); a list that counts every match read each project of the
district with its enterprise and folded six texts a row (``UPPER(…) LIKE``, 160 ms for the
API's count of 有限公司 at 50,000 projects). Here one row holds

    UPPER(name) US UPPER(code) US UPPER(the enterprise's name) US UPPER(its credit code)
    name_initials US name_pinyin

(US: the unit separator, U+001F, which no searched text holds and a term holding it is not
read here): a term is in one of the texts exactly when it is in the row's ``folded`` (as
``icontains`` compares, both upper-cased) or its ``keys`` (as ``contains`` compares the
pinyin's), two ``LIKE``s on a narrow row without the join. The same projects as the plain
search's conditions (``search.own_matches`` | ``search.enterprise_matches``).

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
than ``LIKE``'s per character compare): at 50,000 projects the API's count of 有限公司 53–59
→ 22–26 ms.
"""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, Q

from zhaoshang.projects.search import CASELESS

TABLE = "projects_project_folded"

#: What separates a row's texts; a term holding it is searched plain (``usable``).
SEPARATOR = "\x1f"


def _folded(project: str, enterprise: str, vendor: str) -> str:
    """The ``folded`` text of a project row and its enterprise's (upper-cased as
    PostgreSQL's ``icontains`` compares; as they are on SQLite)."""
    fold = "UPPER({})" if vendor == "postgresql" else "{}"
    parts = [
        fold.format(f"{project}.name"),
        fold.format(f"{project}.code"),
        f"COALESCE({fold.format(f'{enterprise}.name')}, '')",
        f"COALESCE({fold.format(f'{enterprise}.credit_code')}, '')",
    ]
    return f" || {_separator(vendor)} || ".join(parts)


def _keys(project: str, vendor: str) -> str:
    return f"{project}.name_initials || {_separator(vendor)} || {project}.name_pinyin"


def _separator(vendor: str) -> str:
    """``SEPARATOR`` in SQL."""
    return "chr(31)" if vendor == "postgresql" else "char(31)"


_PROJECT_TEXTS = ("name", "code", "name_initials", "name_pinyin", "enterprise_id")
_ENTERPRISE_TEXTS = ("name", "credit_code")


def _changed(columns, differ: str) -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


def _pg_statements() -> list[str]:
    folded, keys = _folded, _keys  # (short names: the statements below are long)
    upsert = "ON CONFLICT (id) DO UPDATE SET folded = EXCLUDED.folded, keys = EXCLUDED.keys"
    pg = "postgresql"
    functions = {
        # projects inserted: their rows, read with their enterprises in one statement
        "zs_folded_added": f"""
            INSERT INTO {TABLE} (id, folded, keys)
            SELECT p.id, {folded("p", "e", pg)}, {keys("p", pg)}
            FROM zs_added p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id
            {upsert};""",
        # a project's texts or enterprise changed
        "zs_folded_changed": f"""
            IF OLD.id <> NEW.id THEN
                DELETE FROM {TABLE} WHERE id = OLD.id;
            END IF;
            INSERT INTO {TABLE} (id, folded, keys)
            SELECT NEW.id, {folded("NEW", "e", pg)}, {keys("NEW", pg)}
            FROM (SELECT 1) AS one
            LEFT JOIN enterprises_enterprise e ON e.id = NEW.enterprise_id
            {upsert};""",
        "zs_folded_removed": f"DELETE FROM {TABLE} f USING zs_removed r WHERE f.id = r.id;",
        "zs_folded_truncated": f"TRUNCATE {TABLE};",
        # an enterprise's texts changed, or enterprises inserted: their projects' rows
        "zs_folded_enterprise": f"""
            UPDATE {TABLE} f SET folded = {folded("p", "NEW", pg)}
            FROM projects_project p WHERE p.enterprise_id = NEW.id AND f.id = p.id;""",
        "zs_folded_enterprises_added": f"""
            UPDATE {TABLE} f SET folded = {folded("p", "e", pg)}
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
        f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, folded text NOT NULL, keys text NOT NULL)",
        *(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$"
            for name, body in functions.items()
        ),
        *(f"CREATE TRIGGER {name} {definition}" for name, definition in triggers.items()),
    ]


def _sqlite_statements() -> list[str]:
    lite = "sqlite"
    row = (
        f"INSERT OR REPLACE INTO {TABLE} (id, folded, keys)"
        f" SELECT NEW.id, {_folded('NEW', 'e', lite)}, {_keys('NEW', lite)}"
        " FROM (SELECT 1) LEFT JOIN enterprises_enterprise e ON e.id = NEW.enterprise_id;"
    )
    of_enterprise = (
        f"UPDATE {TABLE} SET folded = (SELECT {_folded('p', 'NEW', lite)}"
        f" FROM projects_project p WHERE p.id = {TABLE}.id)"
        " WHERE id IN (SELECT id FROM projects_project WHERE enterprise_id = NEW.id);"
    )
    return [
        f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, folded text NOT NULL, keys text NOT NULL)",
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
    schema_editor.execute(
        f"INSERT INTO {TABLE} (id, folded, keys)"
        f" SELECT p.id, {_folded('p', 'e', vendor)}, {_keys('p', vendor)}"
        " FROM projects_project p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id"
    )


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
    whole table first: the page of 有限公司 at 50,000 projects 15 ms, 0.2 walked)."""
    if connection.vendor == "sqlite" and CASELESS.fullmatch(text):
        sql = "instr(zs_f.folded, %s) > 0 OR instr(zs_f.keys, %s) > 0"
        return Q(_Holds(sql, (text, lowered)))
    like = connection.ops.prep_for_like_query
    fold = "UPPER(%s)" if connection.vendor == "postgresql" else "%s"
    escape = "" if connection.vendor == "postgresql" else " ESCAPE '\\'"
    sql = f"zs_f.folded LIKE {fold}{escape} OR zs_f.keys LIKE %s{escape}"
    return Q(_Holds(sql, (f"%{like(text)}%", f"%{like(lowered)}%")))
