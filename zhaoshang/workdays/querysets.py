"""The working-day rule inside SQL, for lists, sorting and scans over many rows.

``workday_seq(expr)`` is the cumulative working-day number of a date (see ``Day``): the
working days after d1 up to d2 are ``workday_seq(d2) - workday_seq(d1)``, computed by the
database with one indexed lookup per row and no Python loop.

    cases.annotate(left=days_left_expression("due_on", today)).order_by("left")
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    DateField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Least

from zhaoshang.workdays.models import Day


def _outer(date_expression):
    """The date to look up, as seen from inside the subquery on Day."""
    if isinstance(date_expression, datetime.datetime):
        raise TypeError("workday_seq needs a date, not a datetime")
    if isinstance(date_expression, datetime.date):
        return Value(date_expression, output_field=DateField())
    if isinstance(date_expression, str):
        return OuterRef(date_expression)
    if isinstance(date_expression, F) and not isinstance(date_expression, OuterRef):
        # F("due_on") names a field of the outer query, not of Day.
        return OuterRef(date_expression.name)
    if isinstance(date_expression, Expression | OuterRef):
        return date_expression
    raise TypeError(
        f"workday_seq needs a date, a field name, F() or OuterRef(), not {date_expression!r}"
    )


def workday_seq(date_expression) -> Subquery:
    """SQL expression: the cumulative working-day number of a date, given as a field name,
    ``F()``/``OuterRef()`` of the outer query, or a ``date``/``Value(date)``. NULL for a
    NULL date or a date the index does not cover (``services.ensure_range`` extends it;
    dates computed by ``services.add_workdays`` are always covered)."""
    return Subquery(
        Day.objects.filter(date=_outer(date_expression)).order_by().values("seq")[:1],
        output_field=IntegerField(),
    )


def days_left_expression(due_field: str, today: datetime.date):
    """SQL expression: working days from ``today`` to the date in ``due_field`` — 0 on the
    due date, negative once it has passed (at least -1 on the days off right after it),
    NULL without a due date. Same numbers as ``services.days_left``. For ``.annotate()``
    and ``.order_by()``; today's number is read once, here."""
    from zhaoshang.workdays.services import seq_of

    left = workday_seq(due_field) - Value(seq_of(today))
    return Case(
        When(**{f"{due_field}__lt": today}, then=Least(left, Value(-1))),
        default=left,
        output_field=IntegerField(),
    )
