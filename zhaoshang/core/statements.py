"""A read's statement compiled once, then run again with other ids (issue 19, point 2).

Django builds and compiles the SQL of a queryset on every evaluation; for the reads that
carry light rules, working-day arithmetic and status cases (an obligation's status is
22 KB of SQL) that costs milliseconds, where running the statement costs a fraction of one.
``rows(key, build, *ids)`` evaluates ``build(*ids)`` and keeps its compiled statement
under ``key``; the next call with the same key and as many ids of each kind runs the same
SQL with the new ids (or keys) in their places, and turns the rows into the same objects (model
instances with their ``select_related`` rows and annotations, or ``values()`` rows) through
Django's own iterables — only the compiling is skipped.

The contract of ``build``: the queryset it returns depends on nothing but ``key`` and the
ids, and each id is used only as a parameter of a filter (``pk=…``, ``…__in=[…]``); an id is an
int, or a str (a key, such as a session's). So the
key names everything else the statement depends on: ``today``, a value read from the
database while building (``workdays.seq_of(today)``), a setting. The statement is first
compiled with stand-in ids, and is kept only when each stand-in is found among the
parameters (never in the SQL text), so an id used any other way is caught and the read is
simply compiled every time. The active language and the database alias are part of the key.

The kept statements are few (``SIZE``, least recently used dropped) and per process."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.utils import translation

SIZE = 128
# Stand-in ids: negative, so never a primary key, distinct from each other, and within a
# 32-bit integer's range (a lookup on an integer field compiles a value beyond its range to
# "matches nothing", not to a parameter); stand-in keys.
_STAND_IN = -2_100_000_000
_ID_TYPES = (int, str)


def _stand_in(value, n: int):
    return _STAND_IN - n if type(value) is int else f"zs\u00b7stand-in\u00b7{n}\u00b7"


_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()  # (a threaded server's requests share the kept statements)


class _Statement:
    __slots__ = ("queryset", "compiler", "sql", "params", "places")

    def __init__(self, queryset, compiler, sql, params, places):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        # [(parameter index, argument index, index in the list or None, the driver's
        # wrapper of the parameter or None)]
        self.places = places


def _stand_ins(ids: Sequence) -> tuple[list, dict]:
    """The arguments with stand-ins for their ids, and {stand-in: (argument, position)}."""
    args, where = [], {}
    n = 0
    for i, arg in enumerate(ids):
        if isinstance(arg, list | tuple):
            values = []
            for j, value in enumerate(arg):
                n += 1
                values.append(_stand_in(value, n))
                where[values[-1]] = (i, j)
            args.append(values)
        else:
            n += 1
            args.append(_stand_in(arg, n))
            where[args[-1]] = (i, None)
    return args, where


def _trace(stand_in) -> str:
    """What a stand-in leaves in a statement's text or a parameter's repr wherever it went
    (an int's digits, a key whole)."""
    return str(abs(stand_in)) if type(stand_in) is int else stand_in


def _compile(queryset, where: dict) -> _Statement | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return None  # a stand-in decided the statement's shape (a field's range): not kept
    params = list(params)
    places = []
    for index, value in enumerate(params):
        # An id as the parameter itself, or wrapped in the driver's own subclass (psycopg's
        # ``Int4`` for an integer the expression types: a Coalesce compared with an id).
        if isinstance(value, _ID_TYPES) and not isinstance(value, bool) and value in where:
            wrap = None if type(value) in _ID_TYPES else type(value)
            places.append((index, *where[value], wrap))
    found = {(i, j) for _index, i, j, _wrap in places}
    if found != set(where.values()):
        return None  # an id not used as a parameter: not kept
    # Nor one used as a parameter somewhere and otherwise elsewhere (in the text, inside a
    # LIKE pattern, a list, a value of another type): its stand-in would be run.
    placed = {index for index, *_rest in places}
    traces = [_trace(s) for s in where]
    rest = [sql, *(repr(v) for index, v in enumerate(params) if index not in placed)]
    if any(t in text for t in traces for text in rest):
        return None
    return _Statement(queryset, compiler, sql, params, places)


def _key(key, ids: Sequence) -> tuple:
    shape = tuple(tuple(map(type, a)) if isinstance(a, list | tuple) else type(a) for a in ids)
    return (key, shape, translation.get_language())


def rows(key, build: Callable, *ids) -> list:
    """``list(build(*ids))``, the statement compiled once per ``key`` and shape of ``ids``
    (each an int or a str, or a list of them; a list is read with its duplicates dropped,
    as SQL's IN does)."""
    ids = tuple(list(dict.fromkeys(a)) if isinstance(a, list | tuple) else a for a in ids)
    if not all(type(v) in _ID_TYPES for a in ids for v in (a if isinstance(a, list) else [a])):
        return list(build(*ids))  # ids only: anything else is compiled every time
    full = _key(key, ids)
    with _lock:
        statement = _kept.get(full, False)
        if statement is not False:
            _kept.move_to_end(full)
    if statement is False:
        args, where = _stand_ins(ids)
        queryset = build(*args)
        statement = None if queryset.query.is_empty() else _compile(queryset, where)
        with _lock:
            _kept[full] = statement
            if len(_kept) > SIZE:
                _kept.popitem(last=False)
    if statement is None:
        return list(build(*ids))
    queryset = statement.queryset._chain()
    db = queryset.db
    if db != statement.compiler.using:
        return list(build(*ids))  # routed elsewhere this time (core.replica): compiled anew
    params = list(statement.params)
    for index, i, j, wrap in statement.places:
        value = ids[i] if j is None else ids[i][j]
        params[index] = value if wrap is None else wrap(value)
    compiler = copy.copy(statement.compiler)
    compiler.connection = connections[db]
    compiler.as_sql = lambda *a, **k: (statement.sql, tuple(params))
    queryset.query.get_compiler = lambda *a, **k: compiler
    return list(queryset)


def forget() -> None:
    """Drop every kept statement (tests that change what a key stands for)."""
    with _lock:
        _kept.clear()
