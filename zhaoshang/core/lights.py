"""The one traffic light of the product (SPEC §11) and the one reader of the district's
light rules (亮灯规则).

Every timed thing — approval cases, obligations, milestones, action items, problems,
complaints, inspection requests, exit warnings, land clean-up deadlines — is green, yellow or red by the same rule:
red once past its deadline, yellow from the district's ``yellow_workdays`` working days
before it, green otherwise. The rule table lives in ``monitoring`` (a domain app), which
registers it here at start-up, so ``core`` imports no domain app.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.querysets import by_district

# The defaults of the rule table: yellow from 1 working day before the deadline; against
# planned progress, yellow from 10 and red beyond 30 percentage points below plan.
DEFAULT_YELLOW_WORKDAYS = 1
DEFAULT_YELLOW_GAP = 10
DEFAULT_RED_GAP = 30


class Light(models.TextChoices):
    """A light, and the settled states a deadline can end in (an obligation's 已履行 …)."""

    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    NONE = "none", _("No deadline")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class Subject(models.TextChoices):
    """The kinds of timed things a district's light rule (亮灯规则) is set for."""

    CASE = "case", _("Approval case")
    OBLIGATION = "obligation", _("Agreement obligation")
    MILESTONE = "milestone", _("Reverse-schedule milestone")
    ACTION_ITEM = "action_item", _("Supervised action item")
    COMPLAINT = "complaint", _("Complaint")
    NEED = "need", _("Problem on the problem list")
    SCHEDULE = "schedule", _("Investment against schedule (序时进度)")
    INSPECTION = "inspection", _("Inspection or fee request")
    WARNING = "warning", _("Exit warning")
    CLEANUP = "cleanup", _("Land clean-up deadline (限期整改)")


# The lights a running deadline shows, as the API's resources list them (one enum).
DEADLINE_LIGHTS = [(x.value, x.label) for x in (Light.GREEN, Light.YELLOW, Light.RED, Light.NONE)]

# Subjects measured against a deadline (the others against planned progress).
DEADLINE_SUBJECTS = tuple(s for s in Subject.values if s != Subject.SCHEDULE)


# The three colours a running deadline can show, worst first.
RUNNING = (Light.RED, Light.YELLOW, Light.GREEN)

_rule_model = None
# Inside ``windows_in_statement``: each subject's yellow windows by district, read once.
_windows: ContextVar[dict | None] = ContextVar("zs_light_windows", default=None)


def use_rule_model(model) -> None:
    """Called by the app that stores the rules (``monitoring``) when it is ready. The model
    has ``district``, ``subject``, ``yellow_workdays``, ``yellow_gap`` and ``red_gap``."""
    global _rule_model
    _rule_model = model


def _rules():
    if _rule_model is None:  # pragma: no cover - the rule app is always installed
        raise RuntimeError("No light rule model is registered (is monitoring installed?).")
    return _rule_model.objects


@contextlib.contextmanager
def windows_in_statement():
    """While the block builds its statements, ``yellow_within`` writes each district's
    yellow window into the statement (read once per subject: ``core.querysets.by_district``)
    rather than looking the district's rule up for each row: for statements over hundreds
    of thousands of rows of a few districts (the daily scan's lit rows,
    ``monitoring.refresh``). Pages keep the lookup, which costs them no query more."""
    token = _windows.set({})
    try:
        yield
    finally:
        _windows.reset(token)


def yellow_within(subject: str, district: str = "district_id"):
    """SQL: the yellow window (working days) of ``subject`` in the row's district — one
    correlated subquery on a small table, so a list costs no extra query per row (inside
    ``windows_in_statement``, each district's window written into the statement)."""
    known = _windows.get()
    if known is not None:
        if subject not in known:
            known[subject] = dict(
                _rules().filter(subject=subject).values_list("district_id", "yellow_workdays")
            )
        return by_district(
            known[subject], IntegerField(), district, default=DEFAULT_YELLOW_WORKDAYS
        )
    rule = (
        _rules()
        .filter(district_id=OuterRef(district), subject=subject)
        .values("yellow_workdays")[:1]
    )
    return Coalesce(
        Subquery(rule, output_field=IntegerField()),
        Value(DEFAULT_YELLOW_WORKDAYS),
        output_field=IntegerField(),
    )


def yellow_workdays(district_id, subject: str) -> int:
    """The yellow window of ``subject`` in one district (for a single record)."""
    value = (
        _rules()
        .filter(district_id=district_id, subject=subject)
        .values_list("yellow_workdays", flat=True)
        .first()
    )
    return DEFAULT_YELLOW_WORKDAYS if value is None else value


def schedule_gaps(district_id, subject: str = "schedule") -> tuple[int, int]:
    """(yellow from, red beyond) points below plan for progress against a schedule."""
    rule = (
        _rules()
        .filter(district_id=district_id, subject=subject)
        .values_list("yellow_gap", "red_gap")
        .first()
    )
    return rule or (DEFAULT_YELLOW_GAP, DEFAULT_RED_GAP)


def light_for_days_left(days_left: int | None, yellow_days: int) -> str:
    """The light of a running deadline ``days_left`` working days away (negative: past)."""
    if days_left is None:
        return Light.NONE
    if days_left < 0:
        return Light.RED
    if days_left <= yellow_days:
        return Light.YELLOW
    return Light.GREEN
