"""The load's append-only rows written in bulk: the domain events and the change history's
rows (django-simple-history) that the replay's services write one ``save()`` at a time,
and the messages (``notify``'s notifications and their e-mail outbox rows), events and
history rows they add with ``bulk_create`` a few at a time — some 14,000 of the load's
statements — are held back and written with ``bulk_create`` (one statement per thousand
rows), in the order they were made.

Nothing can tell: no code keeps the id of such a row (``notify`` returns its
notifications, whose callers only count them), and a held row is written before any
statement that names its table (a KPI snapshot's event mark, a report reading history
``as of`` a day, a purge, the outbox's delivery), before a savepoint is taken or rolled
back to (so a rolled-back block takes its rows with it), and when the block ends. A held
row pointing at another held row (an outbox row at its notification, a history row's
many-to-many rows at it) is written after it, and takes its id then. Rows are written
with the values they had when made (``bulk_create`` runs the fields' ``pre_save`` as
``save`` does), and each table's rows get the ids, in order, that saving them one by one
gave.
"""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.db import connection
from django.db.models import QuerySet

from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification, OutboxMessage

BATCH = 1000
# Statements before which every held row is written: a savepoint taken, released or rolled
# back to (a block's rows stay inside it).
SAVEPOINT_WORDS = ("SAVEPOINT", "ROLLBACK", "RELEASE")


class HeldRows:
    """Rows of append-only models held back, per model, and the statement hook writing
    them before a statement that could see them."""

    def __init__(self, models):
        self.tables = {model._meta.db_table: model for model in models}
        self.held: dict[type, list] = {}
        self.writing = False
        # The held models each one points at (written first: the rows need their ids).
        self.parents = {
            model: [
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in models and f.related_model is not model
            ]
            for model in models
        }

    def hold(self, row) -> None:
        self.held.setdefault(type(row), []).append(row)

    def write(self, only: type | None = None) -> None:
        """Write the held rows (of ``only``, or all) in bulk."""
        self.writing = True
        try:
            for model in [only] if only else list(self.held):
                self._write(model)
        finally:
            self.writing = False

    def _write(self, model: type) -> None:
        rows = self.held.pop(model, None)
        if rows:
            for parent in self.parents[model]:
                self._write(parent)
            model._base_manager.bulk_create(rows, batch_size=BATCH)

    def before(self, execute, sql, params, many, context):
        """``connection.execute_wrapper``: write what the statement could see first."""
        if self.held and not self.writing:
            if sql.lstrip()[:9].upper().startswith(SAVEPOINT_WORDS):
                self.write()
            else:
                for model in list(self.held):
                    if model._meta.db_table in sql:
                        self.write(model)
        return execute(sql, params, many, context)


def _history_models() -> tuple[list[type], list[type]]:
    """simple-history's models of the project: those of the records, and those of their
    many-to-many rows (pointing at a history row by ``history``)."""
    rows = [m for m in apps.get_models() if hasattr(m, "_history_m2m_fields")]
    links = [
        model
        for model in apps.get_models()
        if any(
            f.name == "history" and f.is_relation and f.related_model in rows
            for f in model._meta.concrete_fields
        )
    ]
    return rows, links


@contextlib.contextmanager
def bulk_appends():
    """Inside a transaction: the block's domain events, history rows and messages written in
    bulk."""
    history, links = _history_models()
    saved = [DomainEvent, *history]  # held when saved one by one
    models = [*saved, *links, Notification, OutboxMessage]  # held when added in bulk too
    rows = HeldRows(models)
    saves = {model: model.__dict__.get("save") for model in saved}
    bulk_create = QuerySet.bulk_create

    def held_save(self, *args, using=None, **kwargs):
        if self.pk is not None or args or kwargs or using not in (None, connection.alias):
            raise ValueError(f"{type(self).__name__}: only added here, on the default database")
        rows.hold(self)

    def held_bulk_create(queryset, objs, *args, **kwargs):
        """New rows of a held model added by a plain ``bulk_create`` (no conflict handling,
        on the default database) are held; the rows are returned as they are (no ids)."""
        objs = list(objs)
        if (
            rows.writing
            or queryset.model not in rows.parents
            or args
            or set(kwargs) - {"batch_size"}
            or queryset.db != connection.alias
            or any(obj.pk is not None for obj in objs)
        ):
            return bulk_create(queryset, objs, *args, **kwargs)
        for obj in objs:
            rows.hold(obj)
        return objs

    for model in saved:
        model.save = held_save
    QuerySet.bulk_create = held_bulk_create
    try:
        with connection.execute_wrapper(rows.before):
            yield rows
            rows.write()
    finally:
        QuerySet.bulk_create = bulk_create
        for model, save in saves.items():
            if save is None:
                del model.save
            else:
                model.save = save


@contextlib.contextmanager
def sql_converted_once():
    """On SQLite, Django turns each statement's ``%s`` into ``?`` with a regular expression
    (``SQLiteCursorWrapper.convert_query``) every time it runs: the load runs some 60,000
    statements, ~40 MB of SQL, of a few thousand texts. Each text is converted once."""
    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    convert = SQLiteCursorWrapper.convert_query
    done: dict[str, str] = {}

    def converted(self, query, *, param_names=None):
        if param_names is not None:  # ("pyformat": not the ORM's)
            return convert(self, query, param_names=param_names)
        text = done.get(query)
        if text is None:
            text = done[query] = convert(self, query)
        return text

    SQLiteCursorWrapper.convert_query = converted
    try:
        yield
    finally:
        SQLiteCursorWrapper.convert_query = convert
