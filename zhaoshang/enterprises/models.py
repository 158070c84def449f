"""Investing enterprises (投资企业, SPEC §3)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Versioned
from zhaoshang.core.validators import NoMarkupValidator
from zhaoshang.enterprises.choices import Origin
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.querysets import EnterpriseQuerySet


def _credit_code_validator(value):
    validate_credit_code(value)


class Enterprise(DistrictOwned, Versioned):
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

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "credit_code"], name="uniq_credit_code")
        ]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])
