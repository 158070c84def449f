"""The three reports of the work plan (按月汇总、按季通报、年终考核) and the states of a
background generation job."""

from __future__ import annotations

import datetime
import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly summary (按月汇总)")
    QUARTERLY = "quarterly", _("Quarterly bulletin (按季通报)")
    ANNUAL = "annual", _("Year-end assessment (年终考核)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobAction(models.TextChoices):
    PREVIEW = "preview", _("Live figures")
    ISSUE = "issue", _("Issue")


# The issuing office's abbreviation in a document number (招商办〔2026〕12号): the bureau
# issues the monthly summary, the supervision office the bulletin and the assessment.
NUMBER_PREFIX = {
    Kind.MONTHLY: "招商办",
    Kind.QUARTERLY: "督查室",
    Kind.ANNUAL: "督查室",
}

PERIOD_PATTERNS = {
    Kind.MONTHLY: re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$"),
    Kind.QUARTERLY: re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$"),
    Kind.ANNUAL: re.compile(r"^(?P<year>\d{4})$"),
}
PERIOD_EXAMPLES = {Kind.MONTHLY: "2026-10", Kind.QUARTERLY: "2026-Q3", Kind.ANNUAL: "2025"}


class Period:
    """A report's period: a month (``2026-10``), a quarter (``2026-Q3``) or a year
    (``2025``), with its first and last day."""

    def __init__(self, kind: str, code: str):
        match = PERIOD_PATTERNS[kind].match(code or "")
        if not match or not 2000 <= int(match["year"]) <= 2100:
            raise ValueError(code)
        self.kind = kind
        self.code = code
        self.year = int(match["year"])
        if kind == Kind.MONTHLY:
            self.month = int(match["month"])
            self.start = datetime.date(self.year, self.month, 1)
            self.end = _month_end(self.year, self.month)
        elif kind == Kind.QUARTERLY:
            self.quarter = int(match["quarter"])
            first = 3 * (self.quarter - 1) + 1
            self.start = datetime.date(self.year, first, 1)
            self.end = _month_end(self.year, first + 2)
        else:
            self.start = datetime.date(self.year, 1, 1)
            self.end = datetime.date(self.year, 12, 31)

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == Kind.MONTHLY:
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.month}
        if self.kind == Kind.QUARTERLY:
            return _("Q%(quarter)d %(year)d") % {"year": self.year, "quarter": self.quarter}
        return str(self.year)

    @property
    def label_zh(self) -> str:
        """The period as a Chinese document names it (2026年10月, 2026年第三季度, 2025年度)."""
        if self.kind == Kind.MONTHLY:
            return f"{self.year}年{self.month}月"
        if self.kind == Kind.QUARTERLY:
            return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"
        return f"{self.year}年度"

    @property
    def due_on(self) -> datetime.date:
        """The monthly summary is due on the 6th of the next month; the others at the end
        of the period."""
        if self.kind == Kind.MONTHLY:
            return self.end + datetime.timedelta(days=6)
        return self.end


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def parse_period(kind: str, code: str) -> Period | None:
    try:
        return Period(kind, code)
    except (ValueError, KeyError):
        return None


def default_period(kind: str, today: datetime.date) -> str:
    """The period a user most likely wants: last month, last quarter, last year."""
    if kind == Kind.MONTHLY:
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return f"{last.year}-{last.month:02d}"
    if kind == Kind.QUARTERLY:
        quarter = (today.month - 1) // 3  # the quarter before this one (0 = last year's Q4)
        if quarter == 0:
            return f"{today.year - 1}-Q4"
        return f"{today.year}-Q{quarter}"
    return str(today.year - 1)
