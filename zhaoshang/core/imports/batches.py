"""An import batch's records (补录导入): what it created, from which row, and undoing it.

The engine (``importer.run_all``) calls ``record(batch, importer, row, objects)`` for each
row it created records for; ``record`` only buffers them on the batch object, and
``finish(batch)`` — called once, at the end of the import, inside its transaction —
bulk-inserts them as ``ImportedRecord`` rows and takes the cascade's snapshot: every record
that deleting the rows' records would delete too (a project's stage events, its team) and
every record that refers to them generically (a ledger entry's evidence), stored as
``ImportedRecord`` with ``row`` None, with the version of each ``Versioned`` one.

``undo_blockers`` surveys the same cascade again: a record in it the snapshot does not hold
(a funds entry, a case recorded on an imported project since), a record whose version grew
(an edit, a stage change), a domain event on one of them written after the import, or a
record that protects one from deletion is named as the reason the batch cannot be undone.
``undo`` deletes the whole cascade in one transaction when there is none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, router, transaction
from django.db.models import Exists, OuterRef, Subquery, signals
from django.db.models.deletion import PROTECT, RESTRICT, Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import (
    DomainEvent,
    ImportBatch,
    ImportedRecord,
    ImportStatus,
    Versioned,
)
from zhaoshang.core.services import lock_for_update, require, require_status, status_error

EVENTS = {
    "import.confirmed": gettext_lazy("Import confirmed"),
    "import.undone": gettext_lazy("Import undone"),
}

# Records the daily scans recompute from the others (a project's yellow or red signal, its
# light of a day): they go with the batch's records and never block its undo. By label, so
# that core imports no domain app.
DERIVED = frozenset({"monitoring.signal", "monitoring.lightsnapshot"})
MAX_NAMED = 10  # blockers named one by one; the rest are counted
CHUNK = 500  # primary keys per IN (…) list
_BUFFER = "_imported_records"


# --- recording -------------------------------------------------------------------------------


def _type(model) -> ContentType:
    return ContentType.objects.get_for_model(model)  # cached by Django after the first


def record(batch, importer, row, objects) -> None:
    """Note that ``row`` of ``importer``'s sheet created ``objects`` (one record or a list);
    buffered on the batch object until ``finish(batch)`` writes them (no query here)."""
    if batch is None:
        return
    if objects is None:
        return
    if isinstance(objects, models.Model):
        objects = [objects]
    sheet = str(getattr(importer, "sheet", "") or getattr(importer, "kind", ""))[:60]
    number = getattr(row, "number", row if isinstance(row, int) else None)
    buffer = batch.__dict__.setdefault(_BUFFER, [])
    for obj in objects:
        if obj is None or obj.pk is None:
            continue
        buffer.append(
            ImportedRecord(
                batch=batch,
                content_type=_type(obj.__class__),
                object_id=obj.pk,
                sheet=sheet,
                row=number,
                version=obj.version if isinstance(obj, Versioned) else None,
            )
        )


def flush(batch) -> int:
    """Write the records buffered by ``record`` (bulk inserts); returns how many."""
    buffer = batch.__dict__.pop(_BUFFER, [])
    ImportedRecord.objects.bulk_create(buffer, batch_size=1000)
    return len(buffer)


def finish(batch, summary: dict | None = None) -> ImportBatch:
    """End a successful import of ``batch`` (inside its transaction, after the last row):
    write the buffered records, take the cascade's snapshot, and mark the batch imported
    (``finished_at`` now, ``created_count`` its rows' records, ``summary`` merged in, and
    the last domain event of the import noted: later ones on its records block an undo)."""
    flush(batch)
    snapshot(batch)
    batch.status = ImportStatus.IMPORTED
    batch.finished_at = clock.now()
    batch.created_count = batch.records.filter(row__isnull=False).count()
    batch.summary = {
        **(batch.summary or {}),
        **(summary or {}),
        "last_event_id": DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        or 0,
    }
    batch.save(update_fields=["status", "finished_at", "created_count", "summary"])
    return batch


# --- the cascade -----------------------------------------------------------------------------


class _Cascade(Collector):
    """Django's deletion collector over a batch's records, where a protecting reference
    from another record of the same batch does not count (its enterprise protects an
    imported project's deletion only until the project goes too)."""

    def __init__(self, batch):
        super().__init__(using=router.db_for_write(ImportedRecord) or DEFAULT_DB_ALIAS)
        self.batch = batch

    def related_objects(self, related_model, related_fields, objs):
        found = super().related_objects(related_model, related_fields, objs)
        if any(f.remote_field.on_delete in (PROTECT, RESTRICT) for f in related_fields):
            found = found.exclude(pk__in=_recorded_ids(self.batch, related_model))
        return found


def _recorded_ids(batch, model):
    return ImportedRecord.objects.filter(batch=batch, content_type=_type(model)).values("object_id")


def _recorded(batch) -> dict[type, set]:
    """The batch's records: model → primary keys (one query)."""
    found: dict[type, set] = defaultdict(set)
    for type_id, pk in batch.records.values_list("content_type_id", "object_id"):
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            found[model].add(pk)
    return found


def _chunks(pks: Iterable) -> Iterable[list]:
    pks = sorted(pks)
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


def _collect(batch, roots: dict[type, set]) -> tuple[_Cascade, list]:
    """The cascade of deleting ``roots``; and the records outside the batch protecting one
    of them (the collection of that kind stops at them: the batch is blocked anyway)."""
    collector = _Cascade(batch)
    protecting = []
    for model, pks in roots.items():
        for chunk in _chunks(pks):
            objs = list(model._base_manager.filter(pk__in=chunk))
            if not objs:
                continue
            try:
                collector.collect(objs)
            except (ProtectedError, RestrictedError) as exc:
                protecting.extend(
                    getattr(exc, "protected_objects", None)
                    or getattr(exc, "restricted_objects", ())
                )
    return collector, protecting


def _collected(collector: Collector) -> dict[type, set]:
    """model → primary keys of everything the collector would delete or change."""
    found: dict[type, set] = defaultdict(set)
    for model, instances in collector.data.items():
        found[model._meta.concrete_model].update(obj.pk for obj in instances)
    for queryset in collector.fast_deletes:
        found[queryset.model._meta.concrete_model].update(queryset.values_list("pk", flat=True))
    for batches in collector.field_updates.values():
        for objs in batches:
            if isinstance(objs, models.QuerySet):
                found[objs.model._meta.concrete_model].update(objs.values_list("pk", flat=True))
            else:
                for obj in objs:
                    found[obj.__class__._meta.concrete_model].add(obj.pk)
    return {m: pks for m, pks in found.items() if not m._meta.auto_created and pks}


def _generic_referrers(batch, exclude: dict[type, set] | None = None) -> dict[type, set]:
    """Records pointing at one of the batch's records through a generic foreign key (a
    ledger entry's evidence): model → primary keys (one query per such model). The domain
    events are looked at on their own (``_later_events``)."""
    found: dict[type, set] = defaultdict(set)
    for model in _generic_models():
        for field in model._meta.private_fields:
            if not isinstance(field, GenericForeignKey):
                continue
            pointing = ImportedRecord.objects.filter(
                batch=batch,
                content_type=OuterRef(field.ct_field),
                object_id=OuterRef(field.fk_field),
            )
            pks = model._base_manager.filter(Exists(pointing)).values_list("pk", flat=True)
            found[model].update(pks)
    if exclude:
        for model in list(found):
            found[model] -= exclude.get(model, set())
    return {m: pks for m, pks in found.items() if pks}


def _generic_models() -> list[type]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if model not in (DomainEvent, ImportedRecord)
        and any(isinstance(f, GenericForeignKey) for f in model._meta.private_fields)
    ]


def _versions(model, pks: set) -> dict:
    if not issubclass(model, Versioned):
        return {}
    versions = {}
    for chunk in _chunks(pks):
        versions.update(model._base_manager.filter(pk__in=chunk).values_list("pk", "version"))
    return versions


def _refresh_versions(batch, roots: dict[type, set]) -> None:
    """The rows' records' versions as the import leaves them (a later sheet of the same
    import may have changed a record an earlier one created): one update per kind."""
    for model in roots:
        if issubclass(model, Versioned):
            current = model._base_manager.filter(pk=OuterRef("object_id")).values("version")[:1]
            ImportedRecord.objects.filter(batch=batch, content_type=_type(model)).update(
                version=Subquery(current)
            )


def _store(batch, found: dict[type, set], stored: dict[type, set]) -> int:
    """Write ``found`` (model → primary keys) as the batch's records along with its rows,
    minus those ``stored`` holds already (which then holds them too)."""
    rows = []
    for model, pks in found.items():
        new = pks - stored.get(model, set())
        if not new:
            continue
        versions = _versions(model, new)
        content_type = _type(model)
        rows += [
            ImportedRecord(
                batch=batch, content_type=content_type, object_id=pk, version=versions.get(pk)
            )
            for pk in sorted(new)
        ]
        stored.setdefault(model, set()).update(new)
    ImportedRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def snapshot(batch) -> int:
    """Store every record the undo of ``batch`` would delete besides its rows' own (and
    every record pointing at them generically) as ``ImportedRecord`` with ``row`` None;
    returns how many. A record the import made that protects one of its rows' records, or
    points at one generically, is the import's own too: then the survey runs again over
    them (a few rounds at most; one when there is none)."""
    stored = _recorded(batch)  # the rows' records (and what an earlier call stored)
    _refresh_versions(batch, stored)
    written = 0
    for _round in range(5):
        collector, protecting = _collect(batch, stored)
        found = _collected(collector)
        for obj in protecting:
            found.setdefault(obj.__class__._meta.concrete_model, set()).add(obj.pk)
        written += _store(batch, found, stored)
        referrers = _generic_referrers(batch, exclude=stored)
        written += _store(batch, referrers, stored)
        if not protecting and not referrers:
            break
    return written


# --- undoing ---------------------------------------------------------------------------------


def _later_events(batch):
    """Domain events on the batch's records written after the import (not its own)."""
    on_record = ImportedRecord.objects.filter(
        batch=batch, content_type=OuterRef("content_type"), object_id=OuterRef("object_id")
    )
    events = DomainEvent.objects.filter(Exists(on_record))
    mark = (batch.summary or {}).get("last_event_id")
    if mark is not None:
        return events.filter(pk__gt=mark)
    return events.filter(occurred_at__gt=batch.finished_at or clock.now())


def _changed(batch) -> dict[type, set]:
    """Versioned records of the batch whose version grew since (one query per kind)."""
    found: dict[type, set] = {}
    kinds = batch.records.filter(version__isnull=False).values_list("content_type_id", flat=True)
    for type_id in set(kinds):
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not issubclass(model, Versioned):
            continue
        grown = ImportedRecord.objects.filter(
            batch=batch,
            content_type_id=type_id,
            object_id=OuterRef("pk"),
            version__lt=OuterRef("version"),
        )
        pks = set(model._base_manager.filter(Exists(grown)).values_list("pk", flat=True))
        if pks:
            found[model] = pks
    return found


def _name(model, obj) -> str:
    return _("%(kind)s “%(name)s”") % {"kind": model._meta.verbose_name, "name": obj}


def _named(found: dict[type, set], limit: int) -> list[str]:
    """The names of up to ``limit`` of ``found`` (model → primary keys)."""
    names = []
    for model, pks in found.items():
        if len(names) >= limit:
            break
        for obj in model._base_manager.filter(pk__in=sorted(pks)[: limit - len(names)]):
            names.append(_name(model, obj))
    return names


def _survey(batch) -> tuple[_Cascade, list[str]]:
    """The cascade of undoing ``batch`` and why it cannot be undone (named records)."""
    recorded = _recorded(batch)
    collector, protecting = _collect(batch, recorded)
    added: dict[type, set] = defaultdict(set)
    for model, pks in _collected(collector).items():
        new = pks - recorded.get(model, set())
        if new and model._meta.label_lower not in DERIVED:
            added[model] |= new
    for model, pks in _generic_referrers(batch, exclude=recorded).items():
        added[model] |= pks
    reasons = []
    for obj in protecting:
        if obj.pk not in recorded.get(obj.__class__._meta.concrete_model, set()):
            added[obj.__class__._meta.concrete_model].add(obj.pk)
    total = sum(len(pks) for pks in added.values())
    reasons += [
        _("%(record)s was recorded on an imported record since the import.") % {"record": n}
        for n in _named(added, MAX_NAMED)
    ]
    changed = _changed(batch)
    total += sum(len(pks) for pks in changed.values())
    reasons += [
        _("%(record)s has been changed since the import.") % {"record": n}
        for n in _named(changed, MAX_NAMED - len(reasons))
    ]
    seen = {(m, pk) for m, pks in changed.items() for pk in pks}
    events = []
    for event in _later_events(batch).select_related("content_type").order_by("pk"):
        model = event.content_type.model_class()
        if model is None or (model, event.object_id) in seen:
            continue
        seen.add((model, event.object_id))
        events.append(event)
    total += len(events)
    for event in events[: max(0, MAX_NAMED - len(reasons))]:
        model = event.content_type.model_class()
        obj = model._base_manager.filter(pk=event.object_id).first()
        reasons.append(
            _("“%(event)s” was recorded on %(record)s on %(date)s, after the import.")
            % {
                "event": event.label,
                "record": _name(model, obj if obj is not None else event.object_id),
                "date": timezone.localdate(event.occurred_at).isoformat(),
            }
        )
    if total > len(reasons):
        reasons.append(_("… and %(count)d more.") % {"count": total - len(reasons)})
    return collector, reasons


def undo_blockers(batch) -> list[str]:
    """Why ``batch`` cannot be undone, in the user's language (empty when it can): the
    records recorded on its records since, those changed since, the events since."""
    if batch.status != ImportStatus.IMPORTED:
        return []
    return _survey(batch)[1]


def can_manage(user, batch) -> bool:
    """Confirm or undo an import: the bureau (and the administrators) of its district."""
    return roles.can_edit_registry(user, batch.district_id)


def _history_of(model):
    """The django-simple-history model of ``model`` when the only things listening to its
    deletions are the history's own receivers (and it keeps no many-to-many rows), else
    None (its records then go one by one, through the signals)."""
    from simple_history.models import HistoricalRecords

    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if not attribute or not hasattr(model, attribute):
        return None
    history = getattr(model, attribute).model
    if getattr(history, "_history_m2m_fields", None):
        return None
    for signal in (signals.pre_delete, signals.post_delete):
        try:
            sync, asynchronous = signal._live_receivers(model)
        except (AttributeError, TypeError, ValueError):
            return None
        for receiver in [*sync, *asynchronous]:
            if not isinstance(getattr(receiver, "__self__", None), HistoricalRecords):
                return None
    return history


def _delete(collector: Collector, user) -> int:
    """``collector.delete()``, with django-simple-history's deletion rows ("-", by ``user``,
    dated by the clock) written in bulk for the kinds nothing else listens to: one insert per
    thousand records instead of one per record. Returns how many records went."""
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        now = clock.now()
        for model in list(collector.data):
            history = _history_of(model)
            if history is None:
                continue
            instances = list(collector.data.pop(model))
            rows = []
            for obj in instances:
                row = history(
                    history_date=now,
                    history_user=user,
                    history_change_reason=None,
                    history_type="-",
                    **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
                )
                if hasattr(history, "history_relation"):
                    row.history_relation_id = obj.pk
                rows.append(row)
            history._default_manager.bulk_create(rows, batch_size=1000)
            for chunk in _chunks(obj.pk for obj in instances):
                collector.fast_deletes.append(model._base_manager.filter(pk__in=chunk))
    for instances in collector.data.values():
        for obj in instances:
            obj._history_user = user  # the history's own receiver: who deleted it
    deleted, _per_model = collector.delete()
    return deleted


@transaction.atomic
def undo(user, batch) -> ImportBatch:
    """Delete everything ``batch`` created, in one transaction, unless something was
    recorded on it since (refused, naming the records); the batch is then "undone"."""
    require(can_manage(user, batch))
    locked = lock_for_update(batch)
    require_status(
        locked,
        ImportStatus.IMPORTED,
        message=_("Only an import that was carried out can be undone (this one is “%(status)s”).")
        % {"status": locked.get_status_display()},
    )
    collector, reasons = _survey(locked)
    if reasons:  # the same list as ``undo_blockers``: call this alone
        raise ValidationError(reasons, code="undo_blocked")
    deleted = _delete(collector, user)
    locked.status = ImportStatus.UNDONE
    locked.undone_by = user
    locked.undone_at = clock.now()
    locked.save(update_fields=["status", "undone_by", "undone_at"])
    log_event(
        user,
        "import.undone",
        locked,
        summary=_("%(file)s: %(count)d records deleted")
        % {"file": locked.file_name, "count": deleted},
        count=deleted,
        file=locked.file_name,
    )
    batch.status, batch.undone_by, batch.undone_at = locked.status, user, locked.undone_at
    return locked


@transaction.atomic
def confirm(user, batch) -> ImportBatch:
    """The bureau confirms an import (once): its projects then move on from their imported
    stage without the evidence the import did not bring (listed as owed instead)."""
    require(can_manage(user, batch))
    locked = lock_for_update(batch)
    require_status(
        locked,
        ImportStatus.IMPORTED,
        message=_(
            "Only an import that was carried out can be confirmed (this one is “%(status)s”)."
        )
        % {"status": locked.get_status_display()},
    )
    if locked.confirmed_at is not None:
        raise status_error(
            _("This import was confirmed already, by %(user)s on %(date)s.")
            % {
                "user": locked.confirmed_by,
                "date": timezone.localdate(locked.confirmed_at).isoformat(),
            }
        )
    locked.confirmed_by = user
    locked.confirmed_at = clock.now()
    locked.save(update_fields=["confirmed_by", "confirmed_at"])
    log_event(user, "import.confirmed", locked, summary=locked.file_name, file=locked.file_name)
    batch.confirmed_by, batch.confirmed_at = user, locked.confirmed_at
    return locked


# --- where a record came from ----------------------------------------------------------------


def source_of(obj) -> ImportedRecord | None:
    """The row ``obj`` was imported from (with its batch), of its latest batch not undone;
    None for a record not imported. One query."""
    if obj is None or getattr(obj, "pk", None) is None:
        return None
    return (
        ImportedRecord.objects.filter(
            content_type=_type(obj.__class__), object_id=obj.pk, row__isnull=False
        )
        .exclude(batch__status=ImportStatus.UNDONE)
        .select_related("batch")
        .order_by("-batch_id", "-pk")
        .first()
    )
