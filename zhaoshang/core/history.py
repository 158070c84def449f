"""Change history (变更记录) for object pages, from django-simple-history records.

Records are read in one query per history table and compared pairwise in Python. Every
value is shown as a person reads it: a field by its verbose name, a choice by its label
(a model names the labels of a plain field holding choice values in ``history_choices``,
e.g. ``{"target_stage": Stage.choices}``), a foreign key by the record's name (resolved in
one query per model), a moment in local time (``TIME_ZONE``) like the rows' own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
SKIP = {"id", "version", "updated_at", "name_initials", "name_pinyin", "created_at", "password"}


@dataclass
class HistoryRow:
    when: object
    who: object
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def action_label(self):
        return ACTIONS.get(self.action, self.action)


# Foreign keys declared without a verbose name, named for what they say of the record
# (the others are named after the model they point to: a funds entry's project is 项目).
RELATION_NAMES = {"created_by": _("recorded by")}


def _named(f: models.Field) -> bool:
    """Whether a person can be shown the field: it has a verbose name of its own, or it is a
    foreign key (named after its model); a bare technical field (a digest, a hash, an id
    of a generic relation) is left out."""
    return f._verbose_name is not None or f.is_relation


def field_label(f: models.Field) -> str:
    """The field's name as the history shows it, in the active language."""
    if f._verbose_name is None and f.is_relation:
        if f.name in RELATION_NAMES:
            return str(RELATION_NAMES[f.name])
        return str(f.related_model._meta.verbose_name)
    return str(f.verbose_name)


def _fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIP and not f.name.startswith("history_") and _named(f)
    ]


def _labels(model) -> dict[str, dict]:
    """Per field name, the labels of its values: the field's choices, or the model's
    ``history_choices`` for a plain field that holds choice values."""
    labels = {f.name: dict(f.flatchoices) for f in _fields(model) if f.choices}
    for name, choices in getattr(model, "history_choices", {}).items():
        labels[name] = dict(choices)
    return labels


def _display(f: models.Field, value, names: dict, labels: dict) -> str:
    if value is None or value == "":
        return "—"
    if f.name in labels:
        return str(labels[f.name].get(value, value))
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value}")
    if isinstance(f, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    return str(value)


def history_rows(records, model, subject: str = "", limit: int = 200) -> list[HistoryRow]:
    """Rows (newest first) for the historical records of one model's instances."""
    # The newest records (whichever objects they are about), then each object's in order to
    # compare them pairwise (the oldest one read of an object has no predecessor to compare).
    newest = records.select_related("history_user__enterprise").order_by(
        "-history_date", "-history_id"
    )[: limit * 2]
    records = sorted(newest, key=lambda r: (r.id, r.history_date, r.history_id))
    tracked = [f for f in _fields(model) if hasattr(records[0], f.attname)] if records else []
    wanted: dict = defaultdict(set)
    for rec in records:
        for f in tracked:
            if f.is_relation:
                value = getattr(rec, f.attname)
                if value is not None:
                    wanted[f.related_model].add(value)
    names = {}
    labels = _labels(model)
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)
    rows: list[HistoryRow] = []
    previous: dict = {}
    for rec in records:
        prev = previous.get(rec.id)
        changes = []
        for f in tracked:
            new = getattr(rec, f.attname)
            if rec.history_type == "+":
                if new not in (None, "", False):
                    changes.append((field_label(f), "", _display(f, new, names, labels)))
            elif prev is not None:
                old = getattr(prev, f.attname)
                if old != new:
                    changes.append(
                        (
                            field_label(f),
                            _display(f, old, names, labels),
                            _display(f, new, names, labels),
                        )
                    )
        previous[rec.id] = rec
        if rec.history_type == "~" and not changes:
            continue
        label = subject or str(model._meta.verbose_name)
        rows.append(
            HistoryRow(rec.history_date, rec.history_user, rec.history_type, label, changes)
        )
    rows.reverse()  # the later of two records of the same moment stays first (stable sort)
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]


def cache_history_managers() -> None:
    """simple-history's ``Model.history`` builds a new manager class (``from_queryset``) on
    every access, and every history row it writes reads it: build each class once."""
    from simple_history.manager import HistoryDescriptor

    built: dict[tuple, type] = {}

    def manager_class(descriptor):
        key = (descriptor.manager_class, descriptor.queryset_class)
        if key not in built:
            built[key] = descriptor.manager_class.from_queryset(descriptor.queryset_class)
        return built[key]

    def get(self, instance, owner):
        return manager_class(self)(self.model, instance)

    HistoryDescriptor.__get__ = get


def copy_m2m_rows_by_id() -> None:
    """simple-history copies a record's many-to-many rows into each history row by
    rebuilding the instance from the history row (re-reading its excluded fields) and by
    reading the link rows joined with both sides: copy the link rows' ids instead — the
    same history rows, one narrow query."""
    from simple_history import utils
    from simple_history.models import (
        HistoricalRecords,
        post_create_historical_m2m_records,
        pre_create_historical_m2m_records,
    )

    def create_historical_record_m2ms(self, history_instance, instance):
        for m2m in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[m2m]
            through = m2m.remote_field.through
            attnames = [f.attname for f in through._meta.fields]
            links = through._default_manager.filter(
                **{utils.get_m2m_field_name(m2m): instance.pk}
            ).values_list(*attnames)
            rows = [
                m2m_history_model(
                    history=history_instance, **dict(zip(attnames, link, strict=True))
                )
                for link in links
            ]
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )
            created_rows = m2m_history_model.objects.bulk_create(rows)
            post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )

    HistoricalRecords.create_historical_record_m2ms = create_historical_record_m2ms


def field_on(model, day, name: str, output_field):
    """SQL: a record's field ``name`` at the end of ``day`` (a closed period's figures read
    as they were then) — the last version of its history by then (history rows are dated by
    the clock); its current value without one (a row written straight to the table, or one
    whose history starts later). ``model`` is the record's model, with simple-history."""
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    versions = model.history.model.objects.filter(
        id=OuterRef("pk"), history_date__lt=midnight + datetime.timedelta(days=1)
    ).order_by("-history_date", "-history_id")
    return Coalesce(Subquery(versions.values(name)[:1]), F(name), output_field=output_field)


class ScanHistoricalRecords(HistoricalRecords):
    """The history of a record the daily scan writes by the hundred thousand (an exit
    warning, a ledger entry: each written with its history row, 150,000 rows at its first run
    over 100,000 projects), with two indexes fewer for each row (issue 19). Its rows are read
    by record (``id``: a record's history, the admin's, ``history_rows``), never every
    record's in time order: no index of ``history_date``. The person's (``history_user``,
    ``SET_NULL``) is read only by a person's deletion, off an index named ``user_index``
    that holds only the rows someone wrote: the scan's have nobody."""

    def __init__(self, *args, user_index: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_index = user_index

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_date"].db_index = False
        return extra

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        fields["history_user"].db_index = False
        return fields

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        by_person = models.Index(
            fields=["history_user"],
            condition=models.Q(history_user__isnull=False),
            name=self.user_index,
        )
        meta["indexes"] = [*meta.get("indexes", ()), by_person]
        return meta
