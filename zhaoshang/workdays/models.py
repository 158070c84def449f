"""The working-day calendar (工作日历, SPEC §5): the State Council's yearly holiday
arrangements and the working-day index every time limit is computed on.

The calendar is national: one arrangement per year for every district.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.workdays.choices import EntryKind, YearSource, YearStatus
from zhaoshang.workdays.rules import EPOCH, LAST_DAY


class CalendarYear(models.Model):
    """One year's holiday arrangement (部分节假日安排), as the State Council's notice publishes
    it. A draft year is entered but not in force: until it is published, working days of
    that year follow the provisional rule (``zhaoshang.workdays.rules``)."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(EPOCH.year), MaxValueValidator(LAST_DAY.year)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=YearStatus.choices, default=YearStatus.DRAFT
    )
    notice = models.CharField(
        _("notice number"),
        max_length=120,
        blank=True,
        help_text=_("The document number of the notice, e.g. 国办发明电〔2025〕7号."),
    )
    notice_title = models.CharField(_("notice title"), max_length=200, blank=True)
    source = models.CharField(
        _("loaded from"), max_length=10, choices=YearSource.choices, default=YearSource.ADMIN
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=clock.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_published(self) -> bool:
        return self.status == YearStatus.PUBLISHED


class CalendarEntry(models.Model):
    """A day the arrangement changes: a holiday (放假), or a weekend day worked (调休上班)."""

    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="entries", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name or self.get_kind_display()}"

    def clean(self) -> None:
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            raise ValidationError(
                {
                    "date": _("%(date)s is not in %(year)s.")
                    % {"date": f"{self.date:%Y-%m-%d}", "year": self.calendar_year.year}
                }
            )


class Day(models.Model):
    """The working-day index: one row per calendar day from 2004-01-01 on, without gaps.

    ``seq`` counts the working days from the first day up to and including this one, so
    the working days after d1 up to d2 are ``seq(d2) - seq(d1)`` and the n-th working day
    after d is the working day whose ``seq`` is ``seq(d) + n``: one indexed lookup each.
    ``provisional_seq`` counts the days of years computed with the provisional rule the
    same way, so a result is provisional when the interval it spans holds any of them.
    Derived data: rebuilt from the calendar years, never edited, not audited.
    """

    date = models.DateField(primary_key=True)
    is_workday = models.BooleanField()
    seq = models.PositiveIntegerField()
    is_provisional = models.BooleanField(default=False)
    provisional_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [
            # Each working-day number belongs to exactly one working day; it is also the
            # index that add_workdays looks up.
            models.UniqueConstraint(
                fields=["seq"], condition=Q(is_workday=True), name="workdays_day_seq_unique"
            )
        ]
        indexes = [
            # The first working day on or after a date read off the working days' dates
            # alone, not each day's row fetched to see whether it is one: the daily scan's
            # breaches look it up for each obligation (150,000 at 100,000 projects).
            models.Index(fields=["date"], condition=Q(is_workday=True), name="workdays_day_working")
        ]
        verbose_name = _("day")
        verbose_name_plural = _("days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} #{self.seq}"
