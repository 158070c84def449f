"""The investment agreements of a district's ledger (投资协议), one row per project."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.agreements import services
from zhaoshang.agreements.imports.parsers import (
    PROJECT,
    PROJECT_NAMES,
    Area,
    People,
    Schedule,
    date_column,
)
from zhaoshang.agreements.models import Agreement
from zhaoshang.core import roles
from zhaoshang.core.imports import Column, Importer, Row, Text, normalize_key
from zhaoshang.core.imports.parsers import Money

# --- agreements -------------------------------------------------------------------------------


BY_PRODUCTION = gettext_lazy("Empty: the agreed start of production.")
# The terms a figure measures, with the column of their date (its default: the production).
FIGURE_TERMS = (
    ("intensity", "intensity_by"),
    ("tax", "tax_by"),
    ("jobs", "jobs_by"),
    ("output", "output_by"),
    ("energy", "energy_by"),
)


class AgreementImporter(Importer):
    """One investment agreement per row, with its terms and investment schedule."""

    kind = "agreements"
    model = Agreement
    sheet_title = gettext_lazy("Agreements")
    event_verb = "agreement.imported"
    field_columns = {"__all__": "project"}
    columns = (
        Column(
            "project",
            gettext_lazy("Project"),
            PROJECT,
            required=True,
            width=24,
            aliases=PROJECT_NAMES,
        ),
        Column(
            "number",
            gettext_lazy("Agreement number"),
            Text(60),
            required=True,
            width=20,
            aliases=("协议编号", "合同编号", "协议号", "合同号", "编号"),
        ),
        date_column(
            "signed_on",
            gettext_lazy("Signed on"),
            "签约日期",
            "签约时间",
            "签订日期",
            "签订时间",
            "协议签订日期",
            required=True,
        ),
        Column(
            "government_party",
            gettext_lazy("Government party (甲方)"),
            Text(100),
            required=True,
            width=22,
            aliases=("甲方", "甲方单位", "签约主体（甲方）"),
        ),
        Column(
            "enterprise_party",
            gettext_lazy("Investing party (乙方)"),
            Text(120),
            help=gettext_lazy("Empty means the project's enterprise."),
            width=26,
            aliases=("乙方", "乙方单位", "投资方", "签约企业"),
        ),
        Column(
            "other_parties",
            gettext_lazy("Other parties"),
            Text(200),
            width=20,
            aliases=("其他", "其他方", "丙方", "其他签约方"),
        ),
        Column(
            "contracted_investment",
            gettext_lazy("Contracted investment (10k yuan)"),
            Money(max_digits=14),
            required=True,
            aliases=("协议投资额", "合同投资额", "签约投资额", "协议投资", "签约金额"),
        ),
        Column(
            "land_area",
            gettext_lazy("Land area (mu)"),
            Area(),
            aliases=("用地面积", "约定用地", "用地（亩）", "供地面积"),
        ),
        Column(
            "schedule",
            gettext_lazy("Investment schedule"),
            Schedule(),
            required=True,
            width=36,
            aliases=("投资进度", "分期投资", "资金到位计划", "投资计划", "分期投资计划"),
        ),
        date_column(
            "start_by",
            gettext_lazy("Start of construction by"),
            "约定开工时间",
            "约定开工日期",
            "开工时间",
            "开工日期",
        ),
        date_column(
            "completion_by",
            gettext_lazy("Completion by"),
            "约定竣工时间",
            "约定竣工日期",
            "竣工时间",
            "竣工日期",
        ),
        date_column(
            "production_by",
            gettext_lazy("Start of production by"),
            "约定投产时间",
            "约定投产日期",
            "投产时间",
            "投产日期",
        ),
        Column(
            "intensity",
            gettext_lazy("Investment intensity (10k yuan per mu)"),
            Money(max_digits=14),
            aliases=("投资强度", "约定投资强度", "亩均投资强度", "投资强度（万元/亩）"),
        ),
        date_column(
            "intensity_by",
            gettext_lazy("Intensity reached by"),
            "投资强度达标时间",
            "强度达标时间",
            help=BY_PRODUCTION,
        ),
        Column(
            "tax",
            gettext_lazy("Annual tax (10k yuan)"),
            Money(max_digits=14),
            aliases=("年纳税", "约定税收", "年税收", "纳税承诺", "税收"),
        ),
        date_column(
            "tax_by",
            gettext_lazy("Tax reached by"),
            "税收达标时间",
            "纳税达标时间",
            help=BY_PRODUCTION,
        ),
        Column(
            "jobs",
            gettext_lazy("Jobs"),
            People(),
            aliases=("就业人数", "解决就业", "用工人数", "约定就业"),
        ),
        date_column("jobs_by", gettext_lazy("Jobs reached by"), "就业达标时间", help=BY_PRODUCTION),
        Column(
            "output",
            gettext_lazy("Annual output (10k yuan)"),
            Money(max_digits=14),
            aliases=("年产值", "约定产值", "达产产值", "产值"),
        ),
        date_column(
            "output_by", gettext_lazy("Output reached by"), "产值达标时间", help=BY_PRODUCTION
        ),
        Column(
            "energy",
            gettext_lazy("Energy saving and emission duty"),
            Text(200),
            width=30,
            aliases=("节能减排", "能耗要求", "节能减排责任", "能耗指标"),
        ),
        date_column(
            "energy_by", gettext_lazy("Energy duty met by"), "节能减排达标时间", help=BY_PRODUCTION
        ),
        Column(
            "service_clauses",
            gettext_lazy("Service clauses"),
            Text(4000),
            width=30,
            aliases=("服务条款", "甲方服务条款", "政府服务条款"),
        ),
    )
    notes = (
        gettext_lazy(
            "One row per project's investment agreement; the project must be signed: import it "
            "with its stage and signing date first (the projects sheet comes before this one)."
        ),
        gettext_lazy(
            "Each filled term and each line of the investment schedule becomes an obligation of "
            "the enterprise, as on the agreement page; a key or major project's agreement states "
            "every term."
        ),
        gettext_lazy(
            "A figure given without its date (intensity, tax, jobs, output, energy) is due by "
            "the agreed start of production, as ledgers that keep one date for them mean."
        ),
        gettext_lazy(
            "The signed text is not imported: upload its scan on the agreement page afterwards."
        ),
    )

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)

    def clean_row(self, row: Row) -> None:
        project = row.values["project"]
        if project.signed_on is None:
            raise ValidationError(
                {
                    "project": _(
                        "“%(project)s” is not signed (its stage is “%(stage)s”): sign the project "
                        "first, or give its stage and signing date in the projects sheet."
                    )
                    % {"project": project.name, "stage": project.get_stage_display()}
                }
            )
        values = row.values
        if not values.get("enterprise_party") and project.enterprise_id:
            values["enterprise_party"] = project.enterprise.name
        # A ledger keeps the figures of the terms and, for their dates, the production date.
        for value_key, date_key in FIGURE_TERMS:
            if values.get(value_key) not in (None, "") and values.get(date_key) is None:
                values[date_key] = values.get("production_by")

    def check_rows(self, rows):
        """One agreement per project and one use of a number, in the file and registered."""
        by_project: dict[int, int] = {}
        by_number: dict[str, int] = {}
        for row in rows:
            project, number = row.values["project"], normalize_key(row.values["number"])
            if project.pk in by_project:
                row.ok = False
                yield self.problem(
                    row,
                    "project",
                    _("The agreement of this project is also in row %(row)d.")
                    % {"row": by_project[project.pk]},
                )
            else:
                by_project[project.pk] = row.number
            if number in by_number:
                row.ok = False
                yield self.problem(
                    row,
                    "number",
                    _("This agreement number is also in row %(row)d.") % {"row": by_number[number]},
                )
            else:
                by_number[number] = row.number
        recorded = dict(
            Agreement.objects.filter(
                district=self.district, project_id__in=list(by_project)
            ).values_list("project_id", "number")
        )
        for row in rows:
            number = recorded.get(row.values["project"].pk)
            if number is not None and row.ok:
                row.ok = False
                yield self.problem(
                    row,
                    "project",
                    _("“%(project)s” already has its agreement %(number)s.")
                    % {"project": row.values["project"].name, "number": number},
                )

    def create(self, values):
        project = values.pop("project")
        fields = {name: values.pop(name) for name in services.AGREEMENT_FIELDS if name in values}
        schedule = values.pop("schedule")
        terms = {name: values.get(name) for name in services.TERM_FIELDS}
        agreement = services.save_agreement(
            self.user, project, fields=fields, terms=terms, schedule=schedule
        )
        obligations = list(agreement.obligations.all())  # handed over: no query
        self._obligations = getattr(self, "_obligations", 0) + len(obligations)
        return [agreement, *obligations]

    def summary(self, created):
        agreements = [obj for obj in created if isinstance(obj, Agreement)]
        return {
            "ids": [a.pk for a in agreements],
            "numbers": [a.number for a in agreements],
            "obligations": getattr(self, "_obligations", 0),
            # The signed texts are not in a ledger: each agreement's scan is still to come.
            "without_document": [a.pk for a in agreements if a.document_id is None],
        }
