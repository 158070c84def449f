"""The daily scan's searches of cases (issue 19.4) read the few rows they may find off their
partial indexes — the pledges not yet fulfilled, the running cases whose clock started — not
every case walked by its due date (at 100,000 projects 0.04 and 0.08 s of every run, finding
none)."""

from __future__ import annotations

import datetime

from django.db import connection

from zhaoshang.approvals.services.scans import pledges_late, running_past_due
from zhaoshang.testing.plans import reads_index

TODAY = datetime.date(2026, 11, 26)


def test_the_late_pledges_are_read_off_the_open_pledges_index(db):
    assert reads_index(pledges_late(TODAY).order_by(), "approvals_case_pledge_open")


def test_the_overdue_cases_are_read_off_the_running_clocks_index(db):
    # in the scan's order (the cases' own: due date, id); PostgreSQL, which matches a
    # condition's list of statuses, may take the running cases' index instead (as few rows)
    found = running_past_due(TODAY)
    assert reads_index(found, "approvals_case_clock_running") or (
        connection.vendor == "postgresql" and reads_index(found, "approvals_case_running")
    )
