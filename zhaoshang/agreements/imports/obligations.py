"""The duties on both sides of a district's ledger (双方义务), beyond the standard terms."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import FACT_KINDS, ObligationKind, Party
from zhaoshang.agreements.imports.parsers import (
    DEPARTMENT,
    KIND,
    PARTY,
    PROJECT,
    PROJECT_NAMES,
    TARGET_STAGE,
    Figure,
    date_column,
)
from zhaoshang.agreements.models import Agreement, Obligation
from zhaoshang.core import clock, roles
from zhaoshang.core.imports import Column, Importer, Ref, Row, Text, cell_text, normalize_key

# --- obligations ------------------------------------------------------------------------------


class ObligationImporter(Importer):
    """Duties of the enterprise or of a department beyond the standard terms (双方义务)."""

    kind = "obligations"
    model = Obligation
    sheet_title = gettext_lazy("Obligations")
    event_verb = "obligation.imported"
    columns = (
        Column(
            "agreement",
            gettext_lazy("Agreement number"),
            Ref(
                lambda imp: Agreement.objects.filter(district=imp.district).order_by("number"),
                keys=lambda a: [a.number],
                not_found=gettext_lazy("No agreement numbered “%(value)s” in your district."),
                label=lambda a: a.number,
            ),
            help=gettext_lazy("Empty: the agreement of the project named in the next column."),
            width=20,
            aliases=("协议编号", "合同编号", "协议号", "合同号", "所属协议"),
        ),
        Column("project", gettext_lazy("Project"), PROJECT, width=24, aliases=PROJECT_NAMES),
        Column(
            "party",
            gettext_lazy("Party"),
            PARTY,
            help=gettext_lazy(
                "Empty: a department's when the department is given, else the enterprise's."
            ),
            aliases=("责任方", "义务方", "履约主体", "责任主体", "义务主体"),
        ),
        Column(
            "department",
            gettext_lazy("Department"),
            DEPARTMENT,
            help=gettext_lazy("The department that owes it (a department's obligation)."),
            width=20,
            aliases=("责任部门", "责任单位", "牵头部门", "责任科室"),
        ),
        Column(
            "kind",
            gettext_lazy("Measure"),
            KIND,
            required=True,
            aliases=("义务类别", "义务类型", "类型", "类别", "考核指标", "指标类型"),
        ),
        Column(
            "title",
            gettext_lazy("Obligation"),
            Text(120),
            required=True,
            width=30,
            aliases=("义务内容", "义务", "事项", "约定事项", "义务事项", "承诺事项"),
        ),
        Column(
            "target_amount",
            gettext_lazy("Target figure"),
            Figure(max_digits=14),
            help=gettext_lazy(
                "For funds, investment, tax and output in 10k yuan; intensity in 10k yuan per mu; "
                "jobs in people."
            ),
            aliases=("目标值", "目标金额", "约定数额", "约定金额", "指标值", "目标数"),
        ),
        Column(
            "target_stage",
            gettext_lazy("Target stage"),
            TARGET_STAGE,
            aliases=("目标阶段", "应达阶段", "约定阶段"),
        ),
        Column(
            "target_text",
            gettext_lazy("Target"),
            Text(200),
            help=gettext_lazy("What is delivered (a service) or the limit (an energy duty)."),
            width=30,
            aliases=("交付内容", "约定内容", "目标内容", "服务内容", "具体要求"),
        ),
        date_column(
            "due_on",
            pgettext_lazy("obligation", "Due on"),
            "完成时限",
            "截止日期",
            "约定完成时间",
            "到期日",
            "到期时间",
            "时限",
        ),
        date_column(
            "met_on",
            gettext_lazy("Met on"),
            "完成日期",
            "实际完成时间",
            "兑现日期",
            "履约日期",
            help=gettext_lazy(
                "The day it was met, before the platform kept it; not for funds, investment and "
                "stages, which follow from the project's records."
            ),
        ),
        date_column("waived_on", gettext_lazy("Waived on"), "豁免日期", "免除日期", "解除日期"),
        Column(
            "waiver_reason",
            gettext_lazy("Reason for the waiver"),
            Text(1000),
            width=30,
            aliases=("豁免原因", "免除原因", "解除原因", "豁免依据"),
        ),
    )
    notes = (
        gettext_lazy(
            "The agreement must be recorded first (the agreements sheet comes before this one); "
            "name it by its number or by its project."
        ),
        gettext_lazy(
            "An obligation met before the platform kept it is recorded as imported, with its "
            "evidence still to be uploaded; a waived one needs the reason."
        ),
    )

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)

    def prepare(self, rows: list[Row]) -> None:
        super().prepare(rows)
        if not getattr(self, "file_name", "") and self.batch is not None:
            self.file_name = self.batch.file_name  # for the rows' source (补录 notes)
        self._by_project = {}
        if any(r.raw.get("project") is not None for r in rows):
            self._by_project = {
                a.project_id: a
                for a in Agreement.objects.filter(district=self.district).select_related("project")
            }

    def clean_row(self, row: Row) -> None:
        values = row.values
        errors: dict[str, list[str]] = {}

        def add(key, message):
            errors.setdefault(key, []).append(message)

        agreement, project = values.pop("agreement", None), values.pop("project", None)
        if project is not None:
            by_project = self._by_project.get(project.pk)
            if by_project is None:
                add(
                    "project",
                    _("“%(project)s” has no agreement recorded; import its agreement first.")
                    % {"project": project.name},
                )
            elif agreement is not None and agreement.pk != by_project.pk:
                add(
                    "agreement",
                    _("The agreement %(number)s is not the agreement of “%(project)s”.")
                    % {"number": agreement.number, "project": project.name},
                )
            agreement = agreement or by_project
        elif agreement is None:
            add("agreement", _("Give the agreement number or the project."))
        values["agreement"] = agreement
        department = values.get("department")
        party = values.setdefault(
            "party", Party.DEPARTMENT if department is not None else Party.ENTERPRISE
        )
        if party == Party.ENTERPRISE and department is not None:
            add("department", _("An obligation of the enterprise names no department."))
        kind = values["kind"]
        if kind == ObligationKind.JOBS and values.get("target_amount") is not None:
            values["target_amount"] = _whole(row.raw.get("target_amount"), add)
        met_on, waived_on = values.get("met_on"), values.get("waived_on")
        if met_on and waived_on:
            add("waived_on", _("An obligation is either met or waived: give one of the dates."))
        if met_on and kind in FACT_KINDS:
            add(
                "met_on",
                _(
                    "Whether it is met follows from the project's records (funds in place, "
                    "monthly reports, stage dates): import those and leave this date empty."
                ),
            )
        today = clock.today()
        for key in ("met_on", "waived_on"):
            if values.get(key) and values[key] > today:
                add(key, _("The date cannot be in the future."))
        if met_on and agreement is not None and met_on < agreement.signed_on:
            add(
                "met_on",
                _("The date cannot be before the signing date %(date)s.")
                % {"date": agreement.signed_on.isoformat()},
            )
        if waived_on and not values.get("waiver_reason"):
            add(
                "waiver_reason",
                _("Give the reason for the waiver (e.g. the supplementary agreement)."),
            )
        if errors:
            raise ValidationError(errors)
        values["source"] = self.source(row)

    def check_rows(self, rows):
        """The same obligation (agreement, title, due date) twice, or already recorded."""

        def key(values):
            return values["agreement"].pk, normalize_key(values["title"]), values["due_on"]

        first: dict[tuple, int] = {}
        for row in rows:
            k = key(row.values)
            if k in first:
                row.ok = False
                yield self.problem(
                    row,
                    "title",
                    _(
                        "The same obligation (agreement, obligation, due date) is also in row %(row)d."
                    )
                    % {"row": first[k]},
                )
            else:
                first[k] = row.number
        recorded = {
            (agreement_id, normalize_key(title), due_on)
            for agreement_id, title, due_on in Obligation.objects.filter(
                district=self.district, agreement_id__in={k[0] for k in first}
            ).values_list("agreement_id", "title", "due_on")
        }
        for row in rows:
            if row.ok and key(row.values) in recorded:
                row.ok = False
                yield self.problem(
                    row, "title", _("This obligation is already recorded on the agreement.")
                )

    def create(self, values):
        agreement = values.pop("agreement")
        met_on, waived_on = values.pop("met_on", None), values.pop("waived_on", None)
        reason, source = values.pop("waiver_reason", ""), values.pop("source")
        fields = {name: value for name, value in values.items() if value is not None}
        (ob,) = services.add_obligations(self.user, agreement, [fields])
        if met_on:
            ob = services.record_imported_met(self.user, ob, met_on=met_on, source=source)
        elif waived_on:
            ob = services.waive_obligation(self.user, ob, reason=reason, waived_on=waived_on)
        return ob

    def summary(self, created):
        return {"ids": [ob.pk for ob in created]}


def _whole(raw, add) -> Decimal | None:
    """A number of jobs as the cell gives it (300, “300人”): a unit of money does not apply."""
    text = unicodedata.normalize("NFKC", cell_text(raw)).strip().rstrip("人个名").strip()
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value():
        add("target_amount", _("The number of jobs is a whole number."))
        return None
    return number
