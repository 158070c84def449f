"""The daily scan's two looks at the obligations on every run (issue 19.4) read a few index
entries, not the table through (0.025 and 0.014 s each at 300,000 obligations): whether any
has a blank title (``monitoring.sources._untitled``) and whether any is of a kind (the
investment schedule's points, ``monitoring.sources``). And a breach's date, the first working
day after the due date, is read off the working days' dates alone."""

from __future__ import annotations

import datetime

from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Obligation
from zhaoshang.agreements.services.breaches import _next_workday
from zhaoshang.testing.plans import reads_index


def test_whether_any_obligation_is_untitled_is_read_off_its_partial_index(db):
    assert reads_index(Obligation.objects.filter(title="").order_by(), "obligation_untitled")


def test_whether_any_obligation_is_of_a_kind_is_read_off_the_kinds_index(db):
    found = Obligation.objects.filter(kind=ObligationKind.INVESTMENT).order_by()
    assert reads_index(found, "obligation_kind")


def test_a_breach_s_first_working_day_is_read_off_the_working_days_index(db):
    # ``insert_breaches``: for each obligation the first working day after its due date
    late = Obligation.objects.filter(due_on__lt=datetime.date(2026, 11, 26)).annotate(
        first=_next_workday("due_on")
    )
    assert reads_index(late.values_list("pk", "first"), "workdays_day_working")
