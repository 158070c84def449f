"""Month arithmetic of the exit rules: anchor + N months, month ends clamped."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.exits.services import add_months, last_anchor_due_before

D = datetime.date


@pytest.mark.parametrize(
    ("anchor", "months", "due"),
    [
        # 三个月不开工 from a land delivery at a month end.
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2023, 11, 30), 3, D(2024, 2, 29)),  # leap year
        (D(2025, 8, 31), 3, D(2025, 11, 30)),
        (D(2025, 11, 29), 3, D(2026, 2, 28)),
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
        # 两年不投产 from 29 February.
        (D(2024, 2, 29), 24, D(2026, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 8, 31), 24, D(2027, 8, 31)),
        # 三年不见效.
        (D(2024, 2, 29), 36, D(2027, 2, 28)),
        (D(2023, 11, 30), 36, D(2026, 11, 30)),
        (D(2023, 12, 31), 36, D(2026, 12, 31)),
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_month_ends(anchor, months, due):
    assert add_months(anchor, months) == due


@pytest.mark.parametrize("months", [3, 24, 36])
@pytest.mark.parametrize(
    "today", [D(2026, 3, 1), D(2026, 2, 28), D(2026, 3, 31), D(2028, 3, 1), D(2026, 6, 15)]
)
def test_last_anchor_due_before_is_the_exact_cutoff(today, months):
    cutoff = last_anchor_due_before(today, months)
    assert add_months(cutoff, months) < today
    assert add_months(cutoff + datetime.timedelta(days=1), months) >= today
