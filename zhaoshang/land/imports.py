"""Import of a district's land parcels (地块台账, 补录; issue 20): each row through the land
services, with their rules.

A parcel is recorded in the reserve (储备), reserved (预留) or supplied (已供: its project
and delivery date needed); one found idle (闲置) or recovered (收回) is recorded supplied
first, then moved there by ``change_parcel_status`` — so the idle-land clock must have run
its year, and a recovery needs its date, reason and decision's document number, as on the
parcel's page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Money,
    Number,
    Row,
    Text,
    normalize_key,
)
from zhaoshang.land import permissions, services
from zhaoshang.land.choices import LandUse, ParcelStatus
from zhaoshang.land.models import LandParcel
from zhaoshang.org.imports import park_ref
from zhaoshang.projects.imports_team import ProjectRef

LAND_USE_ALIASES = {
    LandUse.INDUSTRIAL: ("工业", "工业用地", "工矿用地", "工业厂房"),
    LandUse.WAREHOUSING: ("仓储", "仓储用地", "物流", "物流仓储", "仓储物流", "仓储物流用地"),
    LandUse.COMMERCIAL: ("商业", "商服", "商服用地", "商业用地", "商业服务业", "商业服务业用地"),
    LandUse.INFRASTRUCTURE: (
        "基础设施",
        "公共设施",
        "公用设施",
        "公用设施用地",
        "公共管理与公共服务用地",
    ),
    LandUse.OTHER: ("其他", "其它", "其他用地"),
}
STATUS_ALIASES = {
    ParcelStatus.RESERVE: ("储备", "储备用地", "收储", "已收储", "未供地", "未出让", "待供地"),
    ParcelStatus.RESERVED: ("预留", "已预留", "拟供地"),
    ParcelStatus.SUPPLIED: (
        "已出让",
        "已供地",
        "已交地",
        "已划拨",
        "已供",
        "供地",
        "出让",
        "划拨",
        "已开发",
    ),
    ParcelStatus.IDLE: ("闲置", "闲置土地", "已认定闲置", "认定闲置"),
    ParcelStatus.RECOVERED: ("已收回", "收回", "依法收回"),
}
# A status reached from 已供 by a change of status (the rules of change_parcel_status).
CHANGED_STATUSES = (ParcelStatus.IDLE, ParcelStatus.RECOVERED)


class ParcelImporter(Importer):
    """Parcels of the district's parks, in their status, with the projects they serve."""

    kind = "parcels"
    model = LandParcel
    sheet_title = gettext_lazy("Land parcels")
    event_verb = "land_parcel.imported"
    columns = (
        Column(
            "code",
            gettext_lazy("Parcel number"),
            Text(40),
            required=True,
            width=18,
            aliases=(
                "地块编号",
                "宗地编号",
                "地块号",
                "宗地号",
                "宗地代码",
                "不动产单元号",
                "编号",
            ),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            Text(120),
            required=True,
            width=24,
            aliases=("地块名称", "宗地名称", "名称"),
        ),
        Column(
            "location",
            gettext_lazy("Location"),
            Text(200),
            width=24,
            aliases=("坐落", "宗地坐落", "地块位置", "位置", "土地坐落", "四至"),
        ),
        Column(
            "park",
            gettext_lazy("Park"),
            park_ref(),
            required=True,
            width=20,
            aliases=("所属园区", "园区", "园区名称", "所在园区"),
        ),
        Column(
            "area",
            gettext_lazy("Area (mu)"),
            Number(10, 2),
            required=True,
            aliases=("面积(亩)", "用地面积(亩)", "宗地面积(亩)", "出让面积(亩)", "面积", "亩数"),
        ),
        Column(
            "land_use",
            gettext_lazy("Land use"),
            Choice(LandUse, aliases=LAND_USE_ALIASES),
            help=gettext_lazy("Empty means industrial."),
            aliases=("用途", "土地用途", "规划用途", "用地性质", "土地性质"),
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            Choice(ParcelStatus, aliases=STATUS_ALIASES),
            help=gettext_lazy("Empty means in the reserve."),
            aliases=("状态", "供地状态", "土地状态", "地块状态", "供应状态"),
        ),
        Column(
            "project",
            gettext_lazy("Project"),
            ProjectRef(label=lambda p: p.code),
            width=24,
            aliases=("项目名称", "项目", "用地项目", "使用项目", "供地项目", "项目代码"),
        ),
        Column(
            "delivered_on",
            gettext_lazy("Delivered on"),
            Date(),
            width=12,
            aliases=("交地日期", "交付日期", "供地日期", "实际交地日期", "交地时间"),
        ),
        Column(
            "land_price",
            gettext_lazy("Land price (10k yuan)"),
            Money(),
            aliases=("土地价款", "出让价款", "成交价款", "地价", "土地出让金", "出让金"),
        ),
        Column(
            "agreed_start_on",
            gettext_lazy("Agreed start of construction"),
            Date(),
            width=12,
            aliases=("约定开工日期", "合同约定开工日期", "约定动工日期", "约定开工时间"),
        ),
        Column(
            "contract_number",
            gettext_lazy("Land contract number"),
            Text(60),
            width=20,
            aliases=("合同编号", "出让合同编号", "出让合同号", "划拨决定书编号", "合同号"),
        ),
        Column(
            "plot_ratio",
            gettext_lazy("Plot ratio"),
            Number(6, 2),
            width=10,
            aliases=("容积率",),
        ),
        Column(
            "idle_on",
            gettext_lazy("Declared idle on"),
            Date(),
            width=12,
            aliases=("闲置认定日期", "认定闲置日期", "闲置日期"),
        ),
        Column(
            "recovered_on",
            gettext_lazy("Recovered on"),
            Date(),
            width=12,
            aliases=("收回日期", "收回时间"),
        ),
        Column(
            "recovery_document",
            gettext_lazy("Recovery decision (document number)"),
            Text(100),
            width=20,
            aliases=("收回决定书文号", "收回文号", "收回决定文号"),
        ),
        Column(
            "reason",
            gettext_lazy("Reason for the status"),
            Text(500),
            width=24,
            aliases=("收回原因", "闲置原因", "处置原因", "状态原因"),
        ),
        Column("note", gettext_lazy("Note"), Text(2000), width=24, aliases=("备注", "说明")),
    )
    notes = (
        gettext_lazy(
            "A supplied parcel (出让, 划拨, 交地) needs its project and its delivery date; the project must be in the parcel's park."
        ),
        gettext_lazy(
            "An idle parcel is recorded supplied, then declared idle: the idle-land clock must have run a year past the agreed start of construction."
        ),
        gettext_lazy(
            "A recovered parcel needs the date, the reason and the document number of the recovery decision."
        ),
        gettext_lazy("Import the projects before the parcels supplied to them."),
    )
    field_columns = {"on": "delivered_on", "document": "recovery_document"}

    def allowed(self) -> bool:
        return permissions.can_add_parcels(self.user, self.district.pk)

    def clean_row(self, row: Row) -> None:
        v = row.values
        status = v.get("status") or ParcelStatus.RESERVE
        v["status"] = status
        errors: dict[str, list[str]] = {}
        if status in (ParcelStatus.RESERVE, ParcelStatus.RESERVED):
            if v.get("delivered_on"):
                errors["delivered_on"] = [
                    _("A parcel in the reserve or reserved has not been delivered.")
                ]
            if status == ParcelStatus.RESERVE and v.get("project"):
                errors["project"] = [
                    _("A parcel in the reserve serves no project; give its status.")
                ]
        if status != ParcelStatus.IDLE and v.get("idle_on"):
            errors["idle_on"] = [_("Only an idle parcel has the date it was declared idle.")]
        if status != ParcelStatus.RECOVERED:
            for key in ("recovered_on", "recovery_document"):
                if v.get(key):
                    errors[key] = [_("Only a recovered parcel has this.")]
        else:
            if not v.get("recovered_on"):
                errors["recovered_on"] = [_("Give the date the land was recovered.")]
            delivered, recovered = v.get("delivered_on"), v.get("recovered_on")
            if delivered and recovered and recovered < delivered:
                errors["recovered_on"] = [
                    _("The date cannot be before the delivery (%(date)s).")
                    % {"date": delivered.isoformat()}
                ]
        delivered, idle_on = v.get("delivered_on"), v.get("idle_on")
        if status == ParcelStatus.IDLE and delivered and idle_on and idle_on < delivered:
            errors["idle_on"] = [
                _("The date cannot be before the delivery (%(date)s).")
                % {"date": delivered.isoformat()}
            ]
        if errors:
            raise ValidationError(errors)

    def check_rows(self, rows):
        """A parcel number twice in the file (the database's the service refuses)."""
        first: dict[str, int] = {}
        for row in rows:
            k = normalize_key(row.values["code"])
            if k in first:
                row.ok = False
                yield self.problem(
                    row,
                    "code",
                    _("The same parcel number also appears in row %(row)d.") % {"row": first[k]},
                )
            else:
                first[k] = row.number

    def create(self, values: dict[str, Any]) -> LandParcel:
        v = dict(values)
        status = v.pop("status")
        idle_on = v.pop("idle_on", None)
        recovered_on = v.pop("recovered_on", None)
        document = v.pop("recovery_document", "") or ""
        reason = v.pop("reason", "") or ""
        initial = ParcelStatus.SUPPLIED if status in CHANGED_STATUSES else status
        with transaction.atomic():  # a refused change leaves no parcel of the row behind
            return self._record(v, status, initial, idle_on, recovered_on, document, reason)

    def _record(self, v, status, initial, idle_on, recovered_on, document, reason):
        parcel = services.create_parcel(self.user, district=self.district, status=initial, **v)
        if status == ParcelStatus.IDLE:
            parcel = self._change(parcel, status=status, on=idle_on, reason=reason, key="idle_on")
        elif status == ParcelStatus.RECOVERED:
            parcel = self._change(
                parcel,
                status=status,
                on=recovered_on,
                reason=reason,
                document=document,
                key="recovered_on",
            )
        return parcel

    def _change(self, parcel, *, key: str, **kwargs) -> LandParcel:
        """A change of status; its refusal of the date or the status on ``key``'s column."""
        try:
            return services.change_parcel_status(self.user, parcel, **kwargs)
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            found_errors = exc.error_dict if hasattr(exc, "error_dict") else {"status": [exc]}
            for name, found in found_errors.items():
                # The idle-land clock's refusal (on ``status``) is about the date too.
                target = {"document": "recovery_document", "reason": "reason"}.get(
                    name, name if self.column(name) and name != "status" else key
                )
                for error in found:
                    errors.setdefault(target, []).extend(error.messages)
            raise ValidationError(errors) from None

    def summary(self, created):
        return {"codes": [p.code for p in created]}

    def created_objects(self, ids):
        return LandParcel.objects.visible_to(self.user).filter(pk__in=ids).order_by("pk")
