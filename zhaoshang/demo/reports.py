"""Issued reports of the demo district (SPEC §12, §18): last month's summary (issued by the
bureau on the 6th), last quarter's bulletin (issued by the supervision office in the middle
of the next month) and last year's assessment report (issued in January, from the finished
ledger). They are produced by ``reports.services.issue_report`` itself, from the demo's
data, with their three files. Idempotent: a report already issued is left as it is."""

from __future__ import annotations

import datetime
import zoneinfo

from zhaoshang.core import clock
from zhaoshang.core.roles import Role
from zhaoshang.reports import services
from zhaoshang.reports.choices import Kind, Period, default_period
from zhaoshang.reports.models import IssuedReport

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class ReportsBuilder:
    """Issues the demo district's reports (after every other builder: the figures read the
    finished ledger and the morning's lights)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today

    def build(self) -> None:
        if not self.builder.worlds:
            return
        world = self.builder.worlds[0]
        bureau = world.role_users.get(Role.BUREAU)
        supervisor = world.role_users.get(Role.SUPERVISOR)
        plan = [
            (Kind.ANNUAL, supervisor, 20),  # 20 days after the year's end
            (Kind.QUARTERLY, supervisor, 15),
            (Kind.MONTHLY, bureau, 6),  # due on the 6th of the next month
        ]
        for kind, user, days_after in plan:
            if user is None:
                continue
            period = Period(kind, default_period(kind, self.today))
            if IssuedReport.objects.filter(
                district=world.district, kind=kind, period=period.code
            ).exists():
                continue
            on = min(period.end + datetime.timedelta(days=days_after), self.today)
            at = datetime.datetime.combine(on, datetime.time(10, 0), tzinfo=SHANGHAI)
            with clock.at(min(at, clock.now())):
                services.issue_report(user, kind, period, world.district)


def report_counts(district_ids) -> dict[str, int]:
    return {"issued reports": IssuedReport.objects.filter(district_id__in=district_ids).count()}
