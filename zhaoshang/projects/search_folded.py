"""PostgreSQL: each project's searched texts in one narrow row, folded as the search compares
them (``projects_project_folded``), kept in step by triggers — for the lists that read every
match of a common term (issue 19.3: the API's list counts them all; an export).

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
the foreign key being checked at commit). SQLite has its FTS5 tables instead
(``search._sqlite_statements``).
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL

TABLE = "projects_project_folded"

#: What separates a row's texts; a term holding it is searched plain (``usable``).
SEPARATOR = "\x1f"


def _folded(project: str, enterprise: str) -> str:
    return (
        f"UPPER({project}.name) || chr(31) || UPPER({project}.code) || chr(31)"
        f" || COALESCE(UPPER({enterprise}.name), '') || chr(31)"
        f" || COALESCE(UPPER({enterprise}.credit_code), '')"
    )


def _keys(project: str) -> str:
    return f"{project}.name_initials || chr(31) || {project}.name_pinyin"


_UPSERT = "ON CONFLICT (id) DO UPDATE SET folded = EXCLUDED.folded, keys = EXCLUDED.keys"

_FUNCTIONS = {
    # projects inserted: their rows, read with their enterprises in one statement
    "zs_folded_added": f"""
        INSERT INTO {TABLE} (id, folded, keys)
        SELECT p.id, {_folded("p", "e")}, {_keys("p")}
        FROM zs_added p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id
        {_UPSERT};""",
    # a project's texts or enterprise changed
    "zs_folded_changed": f"""
        IF OLD.id <> NEW.id THEN
            DELETE FROM {TABLE} WHERE id = OLD.id;
        END IF;
        INSERT INTO {TABLE} (id, folded, keys)
        SELECT NEW.id, {_folded("NEW", "e")}, {_keys("NEW")}
        FROM (SELECT 1) AS one LEFT JOIN enterprises_enterprise e ON e.id = NEW.enterprise_id
        {_UPSERT};""",
    "zs_folded_removed": f"DELETE FROM {TABLE} f USING zs_removed r WHERE f.id = r.id;",
    "zs_folded_truncated": f"TRUNCATE {TABLE};",
    # an enterprise's texts changed, or enterprises inserted: their projects' rows
    "zs_folded_enterprise": f"""
        UPDATE {TABLE} f SET folded = {_folded("p", "NEW")}
        FROM projects_project p WHERE p.enterprise_id = NEW.id AND f.id = p.id;""",
    "zs_folded_enterprises_added": f"""
        UPDATE {TABLE} f SET folded = {_folded("p", "e")}
        FROM zs_added e JOIN projects_project p ON p.enterprise_id = e.id
        WHERE f.id = p.id;""",
}

_PROJECT_TEXTS = ("name", "code", "name_initials", "name_pinyin", "enterprise_id")
_ENTERPRISE_TEXTS = ("name", "credit_code")


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


_TRIGGERS = (
    (
        "zs_folded_insert",
        "AFTER INSERT ON projects_project REFERENCING NEW TABLE AS zs_added"
        " FOR EACH STATEMENT EXECUTE FUNCTION zs_folded_added()",
    ),
    (
        "zs_folded_update",
        f"AFTER UPDATE OF id, {', '.join(_PROJECT_TEXTS)} ON projects_project FOR EACH ROW"
        f" WHEN (OLD.id <> NEW.id OR {_changed(_PROJECT_TEXTS)})"
        " EXECUTE FUNCTION zs_folded_changed()",
    ),
    (
        "zs_folded_delete",
        "AFTER DELETE ON projects_project REFERENCING OLD TABLE AS zs_removed"
        " FOR EACH STATEMENT EXECUTE FUNCTION zs_folded_removed()",
    ),
    (
        "zs_folded_truncate",
        "AFTER TRUNCATE ON projects_project FOR EACH STATEMENT"
        " EXECUTE FUNCTION zs_folded_truncated()",
    ),
    (
        "zs_folded_enterprise_update",
        f"AFTER UPDATE OF {', '.join(_ENTERPRISE_TEXTS)} ON enterprises_enterprise FOR EACH ROW"
        f" WHEN ({_changed(_ENTERPRISE_TEXTS)}) EXECUTE FUNCTION zs_folded_enterprise()",
    ),
    (
        "zs_folded_enterprise_insert",
        "AFTER INSERT ON enterprises_enterprise REFERENCING NEW TABLE AS zs_added"
        " FOR EACH STATEMENT EXECUTE FUNCTION zs_folded_enterprises_added()",
    ),
)


def install(apps, schema_editor) -> None:
    """Migration ``projects.0022_search_folded``: the table, filled from the projects there
    (an upgrade), and its triggers. PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    uninstall(apps, schema_editor)
    schema_editor.execute(
        f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, folded text NOT NULL, keys text NOT NULL)"
    )
    for name, body in _FUNCTIONS.items():
        schema_editor.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$"
        )
    for name, definition in _TRIGGERS:
        schema_editor.execute(f"CREATE TRIGGER {name} {definition}")
    schema_editor.execute(
        f"INSERT INTO {TABLE} (id, folded, keys)"
        f" SELECT p.id, {_folded('p', 'e')}, {_keys('p')} FROM projects_project p"
        " LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id"
    )


def uninstall(apps, schema_editor) -> None:
    """Drop what ``install`` made (the migration's reverse)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in _TRIGGERS:
        table = definition.split(" ON ", 1)[1].split()[0]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in _FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def usable(connection, text: str, lowered: str) -> bool:
    """Whether ``text`` can be searched in the folded rows: on PostgreSQL, a term without the
    separator."""
    return connection.vendor == "postgresql" and SEPARATOR not in text + lowered


def condition(connection, text: str, lowered: str) -> Q:
    """The projects holding ``text`` (``lowered`` for the pinyin) in one of the searched
    texts, read off the folded rows: the keys of a semi-join, which a count hashes (one read
    of the narrow table) and an ordered page walks with the project's index, stopping at its
    page (the rows by key, newest first, both read backwards)."""
    like = connection.ops.prep_for_like_query
    return Q(
        pk__in=RawSQL(
            f"SELECT id FROM {TABLE} WHERE folded LIKE UPPER(%s) OR keys LIKE %s",
            (f"%{like(text)}%", f"%{like(lowered)}%"),
        )
    )
