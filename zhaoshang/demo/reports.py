"""Issued reports of the demo district (SPEC §12, §18): last month's summary (issued by the
bureau on the 6th), last quarter's bulletin (by the supervision office in the middle of the
next month) and last year's assessment report (in January, from the finished ledger), each
issued by ``reports.services.issue_report`` from the demo's data, with its three files."""

from __future__ import annotations

from zhaoshang.core.roles import Role
from zhaoshang.demo.base import DAY, Part, counter
from zhaoshang.demo.replay import moment
from zhaoshang.reports import services
from zhaoshang.reports.choices import Kind, Period, default_period
from zhaoshang.reports.models import IssuedReport

# Who issues each report, so many days after its period's end (the monthly one on the 6th).
PLAN = ((Kind.ANNUAL, Role.SUPERVISOR, 20), (Kind.QUARTERLY, Role.SUPERVISOR, 15))
PLAN += ((Kind.MONTHLY, Role.BUREAU, 6),)


class ReportsBuilder(Part):
    """Issues the demo district's reports (last: they read the finished ledger and lights)."""

    def build(self) -> None:
        world = self.worlds[0]
        for kind, role, days_after in PLAN:
            period = Period(kind, default_period(kind, self.today))
            on = min(period.end + days_after * DAY, self.last)
            user = world.role_users[role]
            self.line.add(moment(on, 10), services.issue_report, user, kind, period, world.district)
        self.line.run()


report_counts = counter(("issued reports", IssuedReport))
