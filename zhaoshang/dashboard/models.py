"""The homes' stored tallies (``dashboard.tallies``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectTally(models.Model):
    """One district's projects counted by park and stage — how many, their total
    investment, how many of them are signed and started, the investment of the signed and
    how many have a red light — so that the homes' funnel and the city's districts side by
    side add up stored figures instead of counting a district's projects (and the
    province's red lights) on every request (``dashboard.tallies``).
    Written by the daily scan for every district and, when stale, by the request that
    needs it; fresh as a KPI snapshot is (``kpis.snapshots.fresh``: no domain event about
    the district's records after ``event_mark``, computed within ten minutes)."""

    district = models.OneToOneField(
        "org.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("district")
    )
    # {park id: {stage: [projects, investment, signed, signed investment, started, red]}},
    # the amounts in 万元 as text (exact decimals).
    figures = models.JSONField(_("figures"), default=dict)
    event_mark = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("project tally")
        verbose_name_plural = _("project tallies")

    def __str__(self) -> str:
        return f"{self.district_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
