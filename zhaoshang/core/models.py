"""What every domain app shares: the district base model, counters and the domain event log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import clock
from zhaoshang.core.querysets import DistrictScopedQuerySet


class DistrictOwned(models.Model):
    """A record that belongs to exactly one district (行政区), the tenant."""

    district = models.ForeignKey(
        "org.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )

    objects = DistrictScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A record edited by several people: each change through a service bumps ``version``,
    and a writer holding an older one is refused (``core.services.lock_for_update``)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save_new_version(self, *args, **kwargs) -> None:
        """Save the change as the next version (the one place ``version`` grows)."""
        self.version += 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        self.save(*args, **kwargs)


class Timestamped(models.Model):
    """When a record was created and last changed, read from ``core.clock`` (so a replayed
    history is dated the day it happened)."""

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.updated_at = clock.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


class Attachment(models.Model):
    """A file someone attached to a record (a complaint's evidence, a need's drawing): its
    original name, who sent it and when. Each kind adds the record it belongs to and the
    ``file`` field with its own storage path."""

    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Counter(models.Model):
    """A per-district, per-key sequence used for human-readable numbers (ZS-2026-0001)."""

    district = models.ForeignKey("org.District", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "key"], name="uniq_counter")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    @classmethod
    def next_value(cls, district, key: str) -> int:
        """Atomically take the next number; callers are inside a transaction. The increment
        is one UPDATE, which holds the row until the transaction ends, then the number is
        read back; the first number of a key creates its row."""
        if not transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return cls.next_value(district, key)
        counter = cls.objects.filter(district=district, key=key)
        if counter.update(value=models.F("value") + 1):
            return counter.values_list("value", flat=True).get()
        with transaction.atomic():
            counter, _created = cls.objects.select_for_update().get_or_create(
                district=district, key=key
            )
            counter.value += 1
            counter.save(update_fields=["value"])
            return counter.value


class DataStamp(models.Model):
    """One row whose value changes after every commit that wrote data (``core.datastamp``)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "core_datastamp"

    def __str__(self) -> str:
        return str(self.value)


class DomainEventQuerySet(DistrictScopedQuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj.__class__), object_id=obj.pk
        )


class DomainEvent(models.Model):
    """Append-only log of domain events written by services (e.g. ``project.stage_changed``).

    The row-level change history (before/after of every field) is kept by
    django-simple-history; this log records what happened in the domain's words.
    """

    district = models.ForeignKey(
        "org.District",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("district"),
        db_index=False,  # event_district_after (district, id) leads with it
    )
    # Not indexed alone (nor ``verb``): every index is written for every event the daily scan
    # logs (250,000 at its first run over 100,000 projects), and no read needs these. The
    # pages order a district's or a kind of record's events by time off the composites
    # below; the admin lists the log as written (``-id``) and offers the registered verbs.
    occurred_at = models.DateTimeField(_("occurred at"), default=clock.now)
    # Only a person's deletion looks events up by actor (``PROTECT``: the collector's
    # ``actor_id IN (…)``), served by ``event_actor``, which holds only the events someone
    # did — the scan's events have no actor and are not written into it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    verb = models.CharField(_("event"), max_length=64)
    # not its own index: (content_type, object_id) and event_recent lead with it
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = DomainEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A record's events in time order (its page's activity, ``for_object``): off
            # (content type, object) alone SQLite read every event of the record's kind in
            # time order off ``event_recent`` to find the record's (80 ms for an obligation's
            # page at 100,000 projects); here they are a range, already in order.
            models.Index(
                fields=["content_type", "object_id", "occurred_at", "id"], name="event_subject"
            ),
            # A district's events after a mark (a stored snapshot's or tally's freshness,
            # ``kpis.snapshots._unmoved``): a range of this index, not every event the
            # district ever logged read off (district) and filtered by id (issue 19.6: the
            # city's home read 1.1 million events of the province's 100 districts, 0.3 s).
            # It is the district's own index too (the foreign key's is not made): beside a
            # (district) index PostgreSQL's choice between the two is a near tie.
            models.Index(fields=["district", "id"], name="event_district_after"),
            # The latest events about one kind of record, newest first (the home's recent
            # activity): a district's, and every district's for the city.
            models.Index(
                fields=["district", "content_type", "occurred_at", "id"],
                name="event_district_recent",
            ),
            models.Index(fields=["content_type", "occurred_at", "id"], name="event_recent"),
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="event_actor"
            ),
        ]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"{self.verb} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Domain events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Domain events are append-only.")

    @property
    def label(self) -> str:
        from zhaoshang.core.audit import event_label

        return event_label(self.verb)


# --- imports: a batch, its records and the district's saved column mapping ---------------------


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{instance.district_id}/{clock.today():%Y/%m}/{filename}"


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("Being mapped")
    CHECKED = "checked", _("Checked")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Not imported")
    UNDONE = "undone", _("Undone")


class ImportBatch(DistrictOwned):
    """One upload of a district's own spreadsheet (补录导入): the file, how its sheets and
    columns map to our fields (``mapping``), what was checked and what it created. Every
    record it created is listed in ``records`` (``ImportedRecord``) with its source row, so
    the batch can be undone as a whole while nothing has been recorded on them since."""

    kind = models.CharField(_("what"), max_length=40)  # "workbook" or an importer's kind
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=255)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    # Per sheet: {"sheets": [{"name", "kind", "header_row", "columns": [...], "units": {},
    # "values": {}}]}; written by the mapping pages, read by the run.
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    # [[sheet, row, column, value, message], ...]: the first MAX_PROBLEMS of the last check.
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)  # counts per kind
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportedRecord(models.Model):
    """A record an import batch created, with the sheet and row it came from (``row`` is
    None for a record created along with a row's own, e.g. a project's stage events)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    sheet = models.CharField(_("sheet"), max_length=60, blank=True)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    # The record's ``version`` when imported (a Versioned record changed since cannot be
    # undone with its batch).
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.sheet}:{self.row}"


class ImportMapping(DistrictOwned):
    """How a district's own sheets of one kind map to our fields, saved for its next upload:
    header names to column keys, units of the amount columns, their values to our choices."""

    kind = models.CharField(_("what"), max_length=40)
    columns = models.JSONField(default=dict, blank=True)  # normalized header → column key
    units = models.JSONField(default=dict, blank=True)  # column key → "yuan" | "10k" | "100m"
    values = models.JSONField(default=dict, blank=True)  # column key → {normalized value: ours}
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "kind"], name="uniq_import_mapping")
        ]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.kind
