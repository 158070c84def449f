"""Investing enterprises (投资企业, SPEC §3)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, DistrictScopedQuerySet, Versioned
from zhaoshang.core.pinyin import PinyinLabelled
from zhaoshang.core.validators import NoMarkupValidator
from zhaoshang.enterprises.choices import Origin
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.querysets import EnterpriseQuerySet


def _credit_code_validator(value):
    validate_credit_code(value)


class Enterprise(PinyinLabelled, DistrictOwned, Versioned):
    """An investing enterprise; its origin feeds the funds-in-place statistics."""

    name = models.CharField(
        _("name"), max_length=120, validators=[NoMarkupValidator(_("Enterprise name"))]
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[_credit_code_validator]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=40, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    # The pinyin search keys of its name (core.pinyin), kept in step on save.
    pinyin = models.CharField(max_length=800, blank=True, default="", editable=False)

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "pinyin"])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "credit_code"], name="uniq_credit_code")
        ]
        # A district's enterprises in their order (the list and the API) read off this index,
        # not sorted whole (issue 19.3).
        indexes = [models.Index(fields=["district", "name", "id"], name="enterprise_district_name")]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    """A mainland mobile number: 11 digits, 1 then 3–9."""
    if value and not MOBILE_RE.match(value):
        raise ValidationError(
            _("A mobile number has 11 digits and begins with 13–19, e.g. 13800138000.")
        )


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting first login")
    ACCEPTED = "accepted", pgettext_lazy("invitation", "accepted")
    REVOKED = "revoked", pgettext_lazy("invitation", "withdrawn")
    EXPIRED = "expired", pgettext_lazy("invitation", "expired")


class ContactInvitationQuerySet(DistrictScopedQuerySet):
    def pending_at(self, now):
        """The invitations whose link still opens at ``now`` (``status_at`` is pending)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class ContactInvitation(DistrictOwned):
    """An invitation for a person to become a contact (portal account) of an enterprise:
    staff name the person and a mobile number or an e-mail address; the link carries a
    token (only its digest is kept) and, opened once before it expires, lets the person
    set a password and enter the service hall."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name"), max_length=40, validators=[NoMarkupValidator(_("Name"))])
    mobile = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[validate_mobile]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact account"),
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    history = HistoricalRecords(excluded_fields=["token_digest"])

    objects = ContactInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact invitation")
        verbose_name_plural = _("contact invitations")

    def __str__(self) -> str:
        return f"{self.name} {self.mobile or self.email}"

    @property
    def address(self) -> str:
        """The number or address the invitation went to."""
        return self.mobile or self.email

    @property
    def username(self) -> str:
        """The account's user name: the mobile number, else the e-mail address."""
        return self.mobile or self.email.lower()

    def status_at(self, now) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> str:
        return self.status_at(clock.now())

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)
