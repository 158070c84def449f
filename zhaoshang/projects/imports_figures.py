"""Import of what signed projects reported: monthly progress (月度进展) and funds in place
(到位资金), from a district's ledger (补录).

Monthly reports go through ``submit_monthly_report(imported=True)``: any past month from
the project's signing on, never a month filed already, the cumulative investment never
going back (within the file, ordered by month, and against the months filed). Funds in
place go through ``record_funds`` with its checks. Amounts are in 万元 unless the cell or
the column's unit says 元 or 亿元.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import clock, roles
from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Money,
    Month,
    Row,
    Text,
    WholeNumber,
)
from zhaoshang.projects.choices import REPORTING_STAGES, FundsOrigin, FundsUse
from zhaoshang.projects.imports_team import project_column
from zhaoshang.projects.models import FundsEntry, MonthlyReport
from zhaoshang.projects.services.progress import (
    month_start,
    record_funds,
    submit_monthly_report,
)


def _wan(value) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")


class _ProjectsImporter(Importer):
    """What the per-project importers share: the registry editors import."""

    field_columns = {"status": "project"}

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)


# -- monthly progress -------------------------------------------------------------------------


class MonthlyReportImporter(_ProjectsImporter):
    """Past months of progress of the district's signed projects (one row a project-month)."""

    kind = "monthly"
    model = MonthlyReport
    sheet_title = gettext_lazy("Monthly progress")
    event_verb = "project.monthly_reports_imported"
    columns = (
        project_column(),
        Column(
            "month",
            gettext_lazy("Month"),
            Month(),
            required=True,
            width=10,
            help=gettext_lazy("The month reported on, e.g. 2026-03."),
            aliases=("月份", "报告月份", "填报月份", "所属月份", "统计月份", "年月", "进展月份"),
        ),
        Column(
            "investment_this_month",
            gettext_lazy("Investment this month (10k yuan)"),
            Money(),
            required=True,
            aliases=(
                "本月完成投资",
                "当月投资",
                "当月完成投资",
                "本月投资",
                "本月完成投资额",
                "当月完成投资额",
                "月度完成投资",
            ),
        ),
        Column(
            "investment_cumulative",
            gettext_lazy("Cumulative investment (10k yuan)"),
            Money(),
            required=True,
            aliases=(
                "累计完成投资",
                "累计投资",
                "累计完成投资额",
                "累计投资额",
                "开工累计完成投资",
                "累计完成",
            ),
        ),
        Column(
            "funds_this_month",
            gettext_lazy("Funds in place this month (10k yuan)"),
            Money(),
            help=gettext_lazy("Empty means none."),
            aliases=("本月到位资金", "当月到位资金", "到位资金", "本月资金到位", "当月资金到位"),
        ),
        Column(
            "image_progress",
            gettext_lazy("Image progress"),
            Text(4000),
            required=True,
            width=40,
            help=gettext_lazy("What was built or done this month."),
            aliases=(
                "形象进度",
                "项目进展",
                "进展情况",
                "月度进展",
                "工程进度",
                "项目进度",
                "本月进展",
                "建设进展",
                "推进情况",
            ),
        ),
        Column(
            "problems",
            gettext_lazy("Problems met"),
            Text(4000),
            width=30,
            aliases=("存在问题", "问题", "困难问题", "存在的问题", "问题及困难", "困难和问题"),
        ),
        Column(
            "jobs",
            gettext_lazy("People employed"),
            WholeNumber(),
            help=gettext_lazy("Once the project is in production."),
            aliases=("用工人数", "从业人数", "就业人数", "员工人数"),
        ),
        Column(
            "output_this_month",
            gettext_lazy("Output this month (10k yuan)"),
            Money(),
            help=gettext_lazy("Once the project is in production."),
            aliases=("本月产值", "当月产值", "月产值"),
        ),
        Column(
            "tax_this_month",
            gettext_lazy("Tax this month (10k yuan)"),
            Money(),
            help=gettext_lazy("Once the project is in production."),
            aliases=("本月税收", "当月税收", "月税收", "本月纳税", "当月纳税"),
        ),
    )
    notes = (
        gettext_lazy(
            "One row per project and month, from the month the project was signed to this "
            "month; a month already filed is not changed by an import (correct it on the "
            "project page)."
        ),
        gettext_lazy(
            "The cumulative investment does not go back: each month's is at least the "
            "earlier month's, in the file and against the months filed."
        ),
        gettext_lazy(
            "Amounts are in 10k yuan; a cell may say its unit (“1.2亿元”, “300万元”, “1200000元”)."
        ),
    )

    def clean_row(self, row: Row) -> None:
        project, month = row.values["project"], row.values["month"]
        errors: dict[str, list[str]] = {}
        if project.stage not in REPORTING_STAGES:
            errors["project"] = [
                _(
                    "Monthly progress is reported for projects from “signed” to “at designed "
                    "capacity”; this one is “%(stage)s”."
                )
                % {"stage": project.get_stage_display()}
            ]
        if month > month_start(clock.today()):
            errors["month"] = [_("A report cannot be filed for a future month.")]
        elif project.signed_on and month < month_start(project.signed_on):
            errors["month"] = [
                _("The project was signed on %(date)s: a month before it has no report.")
                % {"date": project.signed_on.isoformat()}
            ]
        this, cumulative = row.values["investment_this_month"], row.values["investment_cumulative"]
        if cumulative < this:
            errors["investment_cumulative"] = [
                _("The cumulative investment cannot be less than this month's.")
            ]
        if errors:
            raise ValidationError(errors)

    def check_rows(self, rows):
        """A project-month twice in the file or filed already; a cumulative investment
        below an earlier month's of the same project in the file."""
        first: dict[tuple, Row] = {}
        for row in rows:
            key = (row.values["project"].pk, row.values["month"])
            if key in first:
                row.ok = False
                yield self.problem(
                    row,
                    "month",
                    _("The same project and month also appear in row %(row)d.")
                    % {"row": first[key].number},
                )
            else:
                first[key] = row
        filed = set(
            MonthlyReport.objects.filter(
                project__in={r.values["project"].pk for r in rows},
                month__in={r.values["month"] for r in rows},
            )
            .order_by()
            .values_list("project_id", "month")
        )
        for row in rows:
            key = (row.values["project"].pk, row.values["month"])
            if row.ok and key in filed:
                row.ok = False
                yield self.problem(
                    row,
                    "month",
                    _(
                        "The %(month)s report is filed already; an import does not change it "
                        "(correct it on the project page)."
                    )
                    % {"month": f"{row.values['month']:%Y-%m}"},
                )
        by_project: dict[int, list[Row]] = {}
        for row in first.values():
            by_project.setdefault(row.values["project"].pk, []).append(row)
        for months in by_project.values():
            months.sort(key=lambda r: r.values["month"])
            highest: Row | None = None
            for row in months:
                cumulative = row.values["investment_cumulative"]
                if highest and cumulative < highest.values["investment_cumulative"]:
                    row.ok = False
                    yield self.problem(
                        row,
                        "investment_cumulative",
                        _(
                            "The cumulative investment (%(value)s) is less than the "
                            "%(month)s one in row %(row)d (%(before)s, 10k yuan): a cumulative "
                            "figure does not go back."
                        )
                        % {
                            "value": _wan(cumulative),
                            "month": f"{highest.values['month']:%Y-%m}",
                            "row": highest.number,
                            "before": _wan(highest.values["investment_cumulative"]),
                        },
                    )
                else:
                    highest = row

    def create(self, values):
        project = values.pop("project")
        return submit_monthly_report(self.user, project, values, imported=True)


# -- funds in place -----------------------------------------------------------------------------


ORIGIN_ALIASES = {
    FundsOrigin.OUT_OF_PROVINCE: ("省外", "省外资金", "境外", "省外到位资金", "国外", "外省"),
    FundsOrigin.IN_PROVINCE: (
        "省内市外",
        "省内",
        "市外",
        "市外省内",
        "省内资金",
        "市外资金",
        "外市",
    ),
    FundsOrigin.IN_CITY: ("市内", "本市", "市内资金", "本地", "市本级", "区内", "本地资金"),
}
USE_ALIASES = {
    FundsUse.FIXED_ASSETS: (
        "固定资产",
        "固定资产投资",
        "固投",
        "项目建设",
        "建设资金",
        "设备购置",
        "土建",
    ),
    FundsUse.WORKING_CAPITAL: ("流动资金", "流动", "运营资金", "铺底流动资金", "经营资金"),
}


class FundsImporter(_ProjectsImporter):
    """Funds in place (到位资金) of the district's signed projects, one row an entry."""

    kind = "funds"
    model = FundsEntry
    sheet_title = gettext_lazy("Funds in place")
    event_verb = "project.funds_imported"
    columns = (
        project_column(),
        Column(
            "received_on",
            gettext_lazy("Date"),
            Date(),
            required=True,
            width=12,
            help=gettext_lazy("The day the funds arrived."),
            aliases=("到位日期", "到位时间", "日期", "到账日期", "到账时间", "入账日期"),
        ),
        Column(
            "amount",
            gettext_lazy("Amount (10k yuan)"),
            Money(),
            required=True,
            aliases=(
                "到位资金",
                "本月到位资金",
                "到位金额",
                "到位资金额",
                "金额",
                "到账金额",
                "到位资金（万元）",
            ),
        ),
        Column(
            "origin",
            gettext_lazy("Origin"),
            Choice(FundsOrigin, aliases=ORIGIN_ALIASES),
            required=True,
            width=20,
            aliases=("资金来源", "来源", "来源地", "资金来源地"),
        ),
        Column(
            "use",
            gettext_lazy("Use"),
            Choice(FundsUse, aliases=USE_ALIASES),
            required=True,
            aliases=("资金用途", "用途", "资金性质", "投向"),
        ),
        Column(
            "note",
            gettext_lazy("Note"),
            Text(200),
            width=30,
            aliases=("备注", "说明", "附注"),
        ),
    )
    notes = (
        gettext_lazy(
            "One row per amount that arrived; the funds in place of a project are the sum "
            "of its entries. Corrections are made on the project page, not imported."
        ),
        gettext_lazy(
            "An entry with the same project, date and amount as another row or a recorded "
            "entry is refused (a file imported twice)."
        ),
        gettext_lazy(
            "Amounts are in 10k yuan; a cell may say its unit (“1.2亿元”, “300万元”, “1200000元”)."
        ),
    )

    def check_rows(self, rows):
        """The same entry (project, date, amount) twice in the file or recorded already."""

        def key(row):
            v = row.values
            return v["project"].pk, v["received_on"], v["amount"]

        first: dict[tuple, int] = {}
        for row in rows:
            if key(row) in first:
                row.ok = False
                yield self.problem(
                    row,
                    "amount",
                    _("The same entry (project, date and amount) also appears in row %(row)d.")
                    % {"row": first[key(row)]},
                )
            else:
                first[key(row)] = row.number
        # The projects' entries of the file's days (a superset, matched here): one query.
        recorded = set(
            FundsEntry.objects.filter(
                project__in={k[0] for k in first}, received_on__in={k[1] for k in first}
            )
            .order_by()
            .values_list("project_id", "received_on", "amount")
        )
        for row in rows:
            if row.ok and key(row) in recorded:
                row.ok = False
                yield self.problem(
                    row,
                    "amount",
                    _(
                        "This entry (project, date and amount) is recorded already; "
                        "the file may have been imported before."
                    ),
                )

    def create(self, values):
        project = values.pop("project")
        return record_funds(self.user, project, values)
