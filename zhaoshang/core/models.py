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
        "org.District", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("event"), max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = DomainEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
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
