"""The load's append-only rows written in bulk: the domain events and the change history's
rows (django-simple-history) that the replay's services write one ``save()`` at a time —
about a third of the load's statements — are held back and written with ``bulk_create``
(one statement per thousand rows), in the order they were made.

Nothing can tell: no code keeps the id of such a row (a history row with many-to-many rows
of its own, which needs its id at once, is saved as usual), and a held row is written
before any statement that names its table (a KPI snapshot's event mark, a report reading
history ``as of`` a day, a purge), before a savepoint is taken or rolled back to (so a
rolled-back block takes its rows with it), and when the block ends. Rows are written with
the values they had when made (``bulk_create`` runs the fields' ``pre_save`` as ``save``
does), and each table's rows get the ids, in order, that saving them one by one gave.
"""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.db import connection

from zhaoshang.core.models import DomainEvent

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

    def hold(self, row) -> None:
        self.held.setdefault(type(row), []).append(row)

    def write(self, only: type | None = None) -> None:
        """Write the held rows (of ``only``, or all) in bulk."""
        self.writing = True
        try:
            for model in [only] if only else list(self.held):
                rows = self.held.pop(model, None)
                if rows:
                    model._base_manager.bulk_create(rows, batch_size=BATCH)
        finally:
            self.writing = False

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


def _history_models() -> list[type]:
    """simple-history's models of the project whose rows have no many-to-many rows."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "_history_m2m_fields")  # a history model (not its m2m rows')
        and not model._history_m2m_fields
    ]


@contextlib.contextmanager
def bulk_appends():
    """Inside a transaction: the block's domain events and history rows written in bulk."""
    models = [DomainEvent, *_history_models()]
    rows = HeldRows(models)
    saves = {model: model.__dict__.get("save") for model in models}

    def held_save(self, *args, using=None, **kwargs):
        if self.pk is not None or args or kwargs or using not in (None, connection.alias):
            raise ValueError(f"{type(self).__name__}: only added here, on the default database")
        rows.hold(self)

    for model in models:
        model.save = held_save
    try:
        with connection.execute_wrapper(rows.before):
            yield rows
            rows.write()
    finally:
        for model, save in saves.items():
            if save is None:
                del model.save
            else:
                model.save = save
