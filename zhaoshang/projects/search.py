"""The projects' search read off an index (issue 19.3): a term finds its few projects through
the database's own index instead of reading every project of the district — a term of three
characters or more (a code's year such as 2024, a piece of a credit code, a pinyin, a Chinese
name of three characters) by its trigrams, a term of one or two (a Chinese name is most often
searched by two characters: 华为, 锂电) by the texts' characters and pairs of characters.

The index is the database's, written with every row whatever writes it (a ``save``, a
queryset's ``update``, ``bulk_create``, raw SQL, ``loaddata``, an import), so it cannot miss
a project the way a table kept by Python did (docs/scaling.md, "Search grams: built,
measured, taken out"):

- **PostgreSQL**: ``pg_trgm`` GIN indexes on the very expressions Django writes for the
  search's lookups (``UPPER(name::text)`` for ``icontains``, ``name_initials::text`` for
  ``contains``), on the project's four searched columns and the enterprise's two; and, for
  the short terms, GIN indexes on each of those texts' characters and pairs of characters
  (``zs_short_grams``, a SQL function ``install`` makes), in which a term of one or two
  characters is looked up as one element (``@>``). The project's and the enterprise's
  conditions are read as a union of two index scans (an OR across the join would defeat
  the indexes).
- **SQLite**: two FTS5 tables with the ``trigram`` tokenizer, kept by triggers on insert,
  update and delete of the project and enterprise rows. Each text is indexed with two unit separators after it
  (``PAD``), so that every occurrence of a term of one or two characters begins a trigram
  of the index, even at the text's end: such a term is read as the trigrams it begins,
  their list read off the index's vocabulary (an ``fts5vocab`` table) by range. The
  candidates are a superset of the plain answer (FTS5 folds case wider than ``LIKE`` does)
  and are checked again by the plain conditions.

Either way the answer is the plain search's (``ProjectQuerySet.search``,
``tests/test_search_index.py``). A short term is read off the index when it is Chinese
characters or ASCII letters and digits (``SHORT``: characters whose case every database
folds one for one); another (``%``, ``ß``) takes the plain walk. The schema is made by
``install``, which migrations ``0019_search_index`` and ``0020_search_short_terms`` run, on
both paths to a database (the history replayed, or the tables made from the models followed
by every migration's data functions: ``core.migrating``); a later migration that remakes
``projects_project`` or ``enterprises_enterprise`` on SQLite (an ``AlterField``) drops their
triggers with the old table and must call ``install`` again
(``testing/tests/test_migrations.py`` compares the triggers of both paths).
"""

from __future__ import annotations

import re

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL

from zhaoshang.core.parts import probed

#: The shortest term read off the trigram index: a trigram's length.
MIN_INDEXED = 3

#: A term of one or two characters read off the index: Chinese characters, ASCII letters and
#: digits.
SHORT = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]{1,2}")

#: A term of characters that have no case (Chinese characters, digits): FTS5 folds none of
#: them and ``LIKE`` compares them as they are, and no other character folds to one of them,
#: so the trigrams (with the padding, ``PAD``) find exactly the texts holding it.
CASELESS = re.compile(r"[0-9\u3400-\u4dbf\u4e00-\u9fff]+")

#: A term the index finds in this many projects (or enterprises) or more is searched plain:
#: where a page reads its first matches in an index's order and stops (the autocomplete's
#: 20 by code), walking to them beats seeking every match the index names.
COMMON = 1000

#: The same for the pages that count their matches: the registry's heading, up to 1,000
#: (``views.registry``), and the API's list, all of them. A walk to the 1,000th match reads
#: most of the district when they are few in it, so the index answers up to more matches
#: (at 50,000 projects: 1,250 matches 52 ms walked, about 15 ms sought; seeking costs as
#: much as the walk to the 1,000th match at about 2,600, as the walk of the whole district
#: at about 6,500).
COUNTED = 2500

#: SQLite: what each indexed text is followed by (two unit separators, U+001F).
PAD = "char(31, 31)"

PROJECT_TEXT = "projects_project_text"
ENTERPRISE_TEXT = "projects_enterprise_text"

#: The searched columns, each with whether its lookup folds case (``icontains``, read with
#: the term as typed) or not (``contains``: the pinyin's keys, read with the lowered term).
OWN_COLUMNS = (("name", True), ("code", True), ("name_initials", False), ("name_pinyin", False))
ENTERPRISE_COLUMNS = (("name", True), ("credit_code", True))

# (FTS5 table, content table, its searched columns)
_SQLITE_TABLES = (
    (PROJECT_TEXT, "projects_project", tuple(c for c, _fold in OWN_COLUMNS)),
    (ENTERPRISE_TEXT, "enterprises_enterprise", tuple(c for c, _fold in ENTERPRISE_COLUMNS)),
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

#: PostgreSQL: a text's characters and pairs of characters, for the short terms' indexes (a
#: term of one or two characters is in a text exactly when it is one of these). Parallel
#: restricted (``serial``): the candidates' read, its rows checked again by the function, is
#: costed high enough at the province for a parallel worker, whose start costs more than the
#: read (the registry's 电, 1,139 candidates: page 34-59 → 18-23 ms, count 25-38 → 10-15).
_PG_GRAMS = """
CREATE OR REPLACE FUNCTION zs_short_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED AS $$
SELECT string_to_array(t, NULL)
    || ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i)
$$"""

# (index, table, column, whether folded): GIN indexes of zs_short_grams over the same
# expressions as the trigram indexes'.
_PG_GRAM_INDEXES = (
    ("project_name_grams", "projects_project", '"name"', True),
    ("project_code_grams", "projects_project", '"code"', True),
    ("project_initials_grams", "projects_project", '"name_initials"', False),
    ("project_pinyin_grams", "projects_project", '"name_pinyin"', False),
    ("enterprise_name_grams", "enterprises_enterprise", '"name"', True),
    ("enterprise_credit_code_grams", "enterprises_enterprise", '"credit_code"', True),
)


def _gram_expression(column: str, fold: bool) -> str:
    text = f"({column})::text"
    return f"zs_short_grams(UPPER({text}))" if fold else f"zs_short_grams({text})"


def _sqlite_statements(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c} || {PAD}" for c in columns)
    padded = ", ".join(f"{c} || {PAD}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *columns))
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    remove = f"DELETE FROM {fts} WHERE rowid = old.id;"
    return [
        # The padded texts kept in the index's own table (a copy of a few hundred bytes a
        # project): an index of external content would read the texts unpadded from the
        # project's table, and a contentless one cannot be read whole (a backup's or a
        # snapshot's count of every table's rows).
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, tokenize='trigram', columnsize=0)",
        # its trigrams, each with the number of rows holding it, read by range
        f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {names} ON {table} "
        f"WHEN {changed} BEGIN {remove} {add} END",
        # the rows already there, read from the table in one statement
        f"INSERT INTO {fts}(rowid, {names}) SELECT id, {padded} FROM {table}",
    ]


def install(apps, schema_editor) -> None:
    """Make the search's indexes (and, on SQLite, fill them from the rows there): the
    forward function of migrations ``projects.0019_search_index`` and
    ``0020_search_short_terms`` (on an upgrade from ``0019``, the latter makes the short
    terms' indexes)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, expression in _PG_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (({expression}) gin_trgm_ops) WITH (fastupdate = off)"
            )
        schema_editor.execute(_PG_GRAMS)
        for name, table, column, fold in _PG_GRAM_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin (({_gram_expression(column, fold)})) WITH (fastupdate = off)"
            )
        # Each row written into the indexes at once, not into a pending list that every
        # search reads whole until a vacuum merges it (up to 4 MB an index: a district of
        # 5,000 projects written since, its registry searched by 电 709 ms with the lists,
        # 49 ms without; bench province). Projects are written seldom and searched often
        # (the province's 495,000 projects written 39 → 118 s). The trigram indexes of 0019
        # were made with the list: turned off, and what it holds merged.
        for name, *_rest in (*_PG_INDEXES, *_PG_GRAM_INDEXES):
            schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
            schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
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
        for name, *_rest in (*_PG_INDEXES, *_PG_GRAM_INDEXES):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute("DROP FUNCTION IF EXISTS zs_short_grams(text)")
    elif vendor == "sqlite":
        for fts, _table, _columns in _SQLITE_TABLES:
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


def serial(apps, schema_editor) -> None:
    """Migration ``0021``: the short terms' function parallel restricted (``_PG_GRAMS``) on a
    database made before."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER FUNCTION zs_short_grams(text) PARALLEL RESTRICTED")


def parallel(apps, schema_editor) -> None:
    """Migration ``0021``'s reverse."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER FUNCTION zs_short_grams(text) PARALLEL SAFE")


def uninstall_short_terms(apps, schema_editor) -> None:
    """Migration ``0020``'s reverse: PostgreSQL's short terms' indexes dropped (SQLite's
    tables stay as ``install`` made them: padded, they answer ``0019``'s trigram reads as
    before)."""
    if schema_editor.connection.vendor == "postgresql":
        for name, *_rest in _PG_GRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute("DROP FUNCTION IF EXISTS zs_short_grams(text)")


def _kind(key: str) -> str | None:
    """How the index reads ``key``: ``"long"`` by its trigrams, ``"short"`` by the
    characters or pairs of characters it is, None not at all."""
    if len(key) >= MIN_INDEXED:
        return "long" if "\x00" not in key else None
    return "short" if SHORT.fullmatch(key) else None


def indexed(text: str, lowered: str) -> bool:
    """Whether the index can answer ``text`` (and ``lowered``, the pinyin's form of it)."""
    return _kind(text) is not None and _kind(lowered) is not None


def exact(connection, text: str) -> bool:
    """Whether the index's candidates for ``text`` are exactly the plain search's matches,
    on SQLite (``condition``'s superset): a term ``CASELESS`` (its pinyin's form is the
    same). Such a term's candidates need no check by the plain conditions."""
    return connection.vendor == "sqlite" and CASELESS.fullmatch(text) is not None


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


class _HasGram(Func):
    """SQL (PostgreSQL): a short term is one of a column's characters or pairs of
    characters, both upper-cased as ``icontains`` compares when ``fold``: the expression the
    short terms' GIN indexes hold (``_PG_GRAM_INDEXES``)."""

    output_field = BooleanField()

    def __init__(self, column: str, term: str, *, fold: bool):
        self.fold = fold
        super().__init__(F(column), Value(term))

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        term, term_params = compiler.compile(self.source_expressions[1])
        term = f"UPPER({term}::text)" if self.fold else f"{term}::text"
        sql = f"{_gram_expression(column, self.fold)} @> ARRAY[{term}]"
        return sql, (*column_params, *term_params)


def _matches(columns, text: str, lowered: str, prefix: str = "", *, grams: bool = False) -> Q:
    """Any of ``columns`` holding the term (``text`` where the lookup folds case, else
    ``lowered``); with ``grams`` (PostgreSQL) a short term written as the short terms'
    indexes read it, any other as the plain lookup (which the trigram indexes serve)."""
    found = Q()
    for column, fold in columns:
        key = text if fold else lowered
        if grams and _kind(key) == "short":
            found |= Q(_HasGram(f"{prefix}{column}", key, fold=fold))
        else:
            lookup = "icontains" if fold else "contains"
            found |= Q(**{f"{prefix}{column}__{lookup}": key})
    return found


def own_matches(text: str, lowered: str) -> Q:
    """The plain search's conditions on the project's own texts (``lowered``: the term as the
    pinyin keys are written)."""
    return _matches(OWN_COLUMNS, text, lowered)


def enterprise_matches(text: str, prefix: str = "") -> Q:
    """The plain search's conditions on the enterprise's texts (``prefix``: the path to the
    enterprise, ``enterprise__`` from a project)."""
    return _matches(ENTERPRISE_COLUMNS, text, text, prefix)


def pg_walked(text: str, lowered: str) -> Q:
    """PostgreSQL: the plain search's conditions as a common term's walk reads them — the
    page's order read off an index, each project checked, the walk stopped at the page.
    The planner estimates a term's matches from the province's statistics (电: 0.2% of
    500,000 names), not the district's (22% of the bureau's 5,000): written plainly, it
    reads every project of the district, hashes every enterprise of the province for the
    join and sorts (the autocomplete's 20 by code: 28-38 ms, against 0.5 ms walked). Here
    they are a CASE (``core.parts.probed``: its default estimate, half the rows), the
    enterprise's texts read by its key only for a project whose own texts do not hold the
    term (a scalar subquery, one probe per row: an EXISTS could be hashed against every
    enterprise holding it). The same projects as the plain conditions'."""
    from zhaoshang.enterprises.models import Enterprise

    held = ExpressionWrapper(enterprise_matches(text), output_field=BooleanField())
    enterprise = (
        Enterprise._base_manager.filter(pk=OuterRef("enterprise_id"))
        .annotate(held=held)
        .order_by()
        .values("held")
    )
    by_enterprise = Q(Subquery(enterprise, output_field=BooleanField()))
    return Q(probed(own_matches(text, lowered) | by_enterprise))


def _pg_reads(text: str, lowered: str):
    """PostgreSQL: the projects matching ``text`` themselves, and the enterprises matching
    it, as querysets whose conditions the indexes answer."""
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.projects.models import Project

    own = Project._base_manager.filter(_matches(OWN_COLUMNS, text, lowered, grams=True))
    enterprises = Enterprise._base_manager.filter(
        _matches(ENTERPRISE_COLUMNS, text, text, grams=True)
    )
    return own.order_by(), enterprises.order_by()


#: PostgreSQL: a statement run with the tables' whole reads off (``enable_seqscan``), its
#: parameters the text array ``args`` (``$1[1]``…): the common check of a short term
#: (``_pg_common``), one statement.
_PG_SEEK = """
CREATE OR REPLACE FUNCTION zs_seek(q text, args text[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
DECLARE found boolean;
BEGIN
    EXECUTE q INTO found USING args;
    RETURN found;
END $$"""


def install_seek(apps, schema_editor) -> None:
    """Migration ``0023``: ``zs_seek`` (``_PG_SEEK``)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PG_SEEK)


def uninstall_seek(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS zs_seek(text, text[])")


def _pg_common(connection, text: str, lowered: str, threshold: int) -> bool:
    """PostgreSQL: whether the ``threshold``-th match of the projects' or the enterprises'
    texts is there. A short term's question is run with whole reads off (``zs_seek``): a
    letter nearly every pinyin holds (a, d, z) is estimated in most rows, and the planner
    read the table up to the ``threshold``-th match, computing each row's characters and
    pairs four times over (``zs_short_grams``, ~9 µs each: 37–41 ms at 50,000 projects)
    rather than the indexes' lists (4–5 ms). A long term's plain walk to it is cheap
    (有限公司: 0.6 ms walked, 3 ms off the index)."""
    own, enterprises = _pg_reads(text, lowered)
    parts = [
        reads.values("pk")[threshold - 1 : threshold].query.get_compiler(connection=connection)
        for reads in (own, enterprises)
    ]
    (own_sql, own_params), (enterprise_sql, enterprise_params) = (part.as_sql() for part in parts)
    sql = f"SELECT EXISTS ({own_sql}) OR EXISTS ({enterprise_sql})"
    params = (*own_params, *enterprise_params)
    with connection.cursor() as cursor:
        # (its parameters all text, and no ``%`` of the statement's own to unescape)
        short = "short" in (_kind(text), _kind(lowered)) and "%%" not in sql
        if short and all(isinstance(p, str) for p in params):
            pieces = sql.split("%s")
            sql = pieces[0] + "".join(f"$1[{n}]{piece}" for n, piece in enumerate(pieces[1:], 1))
            cursor.execute("SELECT zs_seek(%s, %s)", (sql, list(params)))
        else:
            cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def _bounds(key: str) -> tuple[str, str]:
    """The range of the index's trigrams (case-folded) that begin with a short ``key``."""
    start = key.lower()
    return start, start[:-1] + chr(ord(start[-1]) + 1)


def _sqlite_prefixes(connection, keys: list[tuple[str, str]], threshold: int) -> dict | None:
    """SQLite: for each (FTS5 table, short key) the trigrams of the index the key begins,
    read off the tables' vocabularies in one statement — or None when a key is common: its
    trigrams' rows add up to ``threshold`` or more (a bound of the rows holding it: a row
    holding it twice is counted twice; each trigram is in a row at least, so no more than
    ``threshold`` of them are read)."""
    parts, params = [], []
    for number, (fts, key) in enumerate(keys):
        parts.append(
            f"SELECT * FROM (SELECT {number}, term, doc FROM {fts}_vocab"
            f" WHERE term >= %s AND term < %s LIMIT {int(threshold)})"
        )
        params.extend(_bounds(key))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found: dict = {key: [] for key in keys}
    docs = dict.fromkeys(keys, 0)
    for number, term, doc in rows:
        found[keys[number]].append(term)
        docs[keys[number]] += doc
    if any(docs[key] >= threshold for key in keys):
        return None
    return found


def _fts_group(fts: str, key: str, columns: tuple[str, ...], prefixes: dict) -> str | None:
    """An FTS5 query of ``key`` in ``columns``: a long key as one phrase, a short one as any
    of the trigrams it begins (None when it begins none: nothing holds it)."""
    names = " ".join(columns)
    if _kind(key) == "long":
        return f"{{{names}}} : {_phrase(key)}"
    begun = prefixes[(fts, key)]
    if not begun:
        return None
    return f"{{{names}}} : (" + " OR ".join(_phrase(t) for t in begun) + ")"


def _sqlite_matches(connection, text: str, lowered: str, threshold: int):
    """SQLite: the FTS5 queries of the project's table and of the enterprise's (None for a
    table nothing of which holds the term) — or None when a short key is common, which the
    vocabulary says (the one statement a short term costs here)."""
    folded = tuple(c for c, fold in OWN_COLUMNS if fold)
    pinyin = tuple(c for c, fold in OWN_COLUMNS if not fold)
    wanted = [
        (PROJECT_TEXT, text, folded),
        (PROJECT_TEXT, lowered, pinyin),
        (ENTERPRISE_TEXT, text, tuple(c for c, _fold in ENTERPRISE_COLUMNS)),
    ]
    keys = list(dict.fromkeys((fts, key) for fts, key, _c in wanted if _kind(key) == "short"))
    prefixes = _sqlite_prefixes(connection, keys, threshold) if keys else {}
    if prefixes is None:
        return None
    groups = [_fts_group(fts, key, columns, prefixes) for fts, key, columns in wanted]
    own = " OR ".join(g for g in groups[:2] if g) or None
    return own, groups[2]


def _sqlite_common(connection, own: str | None, enterprise: str | None, threshold: int) -> bool:
    nth = "EXISTS (SELECT 1 FROM {0} WHERE {0} MATCH %s LIMIT 1 OFFSET {1})"
    parts, params = [], []
    for fts, match in ((PROJECT_TEXT, own), (ENTERPRISE_TEXT, enterprise)):
        if match is not None:
            parts.append(nth.format(fts, int(threshold) - 1))
            params.append(match)
    if not parts:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " OR ".join(parts), params)
        return bool(cursor.fetchone()[0])


def _long(text: str, lowered: str) -> bool:
    return "long" in (_kind(text), _kind(lowered))


def common(connection, text: str, lowered: str, threshold: int | None = None) -> bool:
    """Whether the index finds ``text`` (``lowered`` for the pinyin) in ``threshold``
    projects or ``threshold`` enterprises or more (``COMMON`` unless given), for a term
    ``indexed``. PostgreSQL: one statement, the ``threshold``-th match of each looked up
    (its GIN indexes read as bitmaps of every match, the rows' recheck stopping at the
    ``threshold``-th; 有限公司 at 50,000 enterprises: 2–3 ms with the indexed expressions'
    statistics, which ``install`` gathers; 4–6 ms without). SQLite: a short key's trigrams
    read off the vocabulary (one statement; common by its bound, ``_sqlite_prefixes``),
    then for a long key the ``threshold``-th match of each table looked up (FTS5 reads at
    most ``threshold`` entries of each)."""
    threshold = COMMON if threshold is None else threshold
    if connection.vendor == "postgresql":
        return _pg_common(connection, text, lowered, threshold)
    matches = _sqlite_matches(connection, text, lowered, threshold)
    if matches is None:
        return True
    return _long(text, lowered) and _sqlite_common(connection, *matches, threshold)


def condition(
    connection,
    text: str,
    lowered: str,
    common: int | None = None,
    *,
    by_code: bool = False,
    keyed: bool = False,
) -> Q | None:
    """The projects that may match ``text`` (``lowered`` for the pinyin), read off the
    index — or None when the term cannot be read there (``indexed``), the database has no
    such index, or the term is ``common``. On PostgreSQL exactly the matches; on SQLite a
    superset, which the plain conditions trim.

    A term the index finds in ``common`` projects or enterprises or more (``COMMON`` unless
    given, ``COUNTED`` for the registry; 有限公司, a district's code prefix, 电) is not read
    off it (one statement asks the index first,
    ``common``; on SQLite a term of three characters or more whose pinyin's form is one or
    two, ``a b``, asks twice): the plain walk answers, which a page of the first matches in
    an index's order ends early (the index's list of every match would cost more than that
    walk saves). A rare term's condition is a plain AND, so that the planner starts from its
    few candidates rather than walking the district's projects in the page's order and
    testing each (issue 19.3: the autocomplete's 20 by code, the registry's page by
    date). ``by_code``: the rows are read in the order of their codes (the
    autocomplete's), which on SQLite the codes' list alone gives; ``keyed``: every candidate
    is read (the registry's count with its page's keys, ``core.paging``), by its key alone."""
    if connection.vendor not in ("postgresql", "sqlite") or not indexed(text, lowered):
        return None
    from zhaoshang.projects.models import Project

    threshold = COMMON if common is None else common
    if connection.vendor == "postgresql":
        if _pg_common(connection, text, lowered, threshold):
            return None
        own, enterprises = _pg_reads(text, lowered)
        by_enterprise = Project._base_manager.filter(enterprise__in=enterprises.values("pk"))
        few = own.values("pk").union(by_enterprise.order_by().values("pk"))
        # Read as an array (``id = ANY(ARRAY(…))``), which the planner takes for a few keys
        # and seeks by the primary key: as a list (``id IN (…)``) it trusts its guess of the
        # candidates, which without statistics on the indexed expressions (indexes made
        # after the last ANALYZE) was 1,653 for 2024 where 40 were found, and hashed them
        # against a scan of the whole district. (Fewer than the threshold: each is sought.)
        return Q(_AnyOf(F("pk"), Subquery(few)))
    matches = _sqlite_matches(connection, text, lowered, threshold)
    if matches is None:
        return None
    if _long(text, lowered) and _sqlite_common(connection, *matches, threshold):
        return None
    own, enterprise = matches
    reads, params = [], []
    if own is not None:
        reads.append(f"SELECT rowid FROM {PROJECT_TEXT} WHERE {PROJECT_TEXT} MATCH %s")
        params.append(own)
    if enterprise is not None:
        reads.append(
            "SELECT id FROM projects_project WHERE enterprise_id IN"
            f" (SELECT rowid FROM {ENTERPRISE_TEXT} WHERE {ENTERPRISE_TEXT} MATCH %s)"
        )
        params.append(enterprise)
    if not reads:
        return Q(pk__in=[])  # nothing holds the term
    few = RawSQL(" UNION ".join(reads), params)
    # Without statistics SQLite takes the district's index that gives the page's order
    # (district and code, district and date) for the cheaper path and tests every project
    # of the district against the candidates; their codes (unique) name the same projects,
    # as keys of an index it seeks instead. In the codes' order that index alone gives the
    # first rows (鑫's 20 of 1,250 candidates: 11 → 4 ms); in another (the registry's
    # page by date) SQLite then walks the district's index of that order, testing each
    # code (13 → 47 ms), and seeks the candidates by key with both conditions.
    codes = Project._base_manager.filter(pk__in=few).order_by().values("code")
    if by_code:
        return Q(code__in=codes)
    if keyed:
        # Every candidate read by its key (in the district's index of keys), sorted or
        # counted after: the codes would read the candidates a second time (鑫 at 50,000,
        # docs/scaling.md). A caseless term's candidates are not checked again (``exact``),
        # and without the plain conditions an index may hold every column the statement
        # reads (sorted by investment: the district and the investment), which SQLite,
        # guessing ten rows a district, walks whole testing each key (8–13 ms at 50,000
        # against 4–5): a term on a column of no index, true of every row (its check
        # constraint), has each candidate's row read instead.
        if exact(connection, text):
            return Q(pk__in=few) & Q(version__gte=0)
        return Q(pk__in=few)
    return Q(pk__in=few) & Q(code__in=codes)
