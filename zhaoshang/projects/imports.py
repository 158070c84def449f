"""Excel import of projects (SPEC §16, issue 20 point 1): every row through
``create_project``, then its stage history through ``backfill.import_history``.

A project names its enterprise by credit code (or by its exact name when no code is
given). An enterprise not yet registered in the district is registered with the row when
the row gives both its credit code and its name (through ``enterprises.services``). A row
may carry the project's stage and the date of every stage it passed (补录): the history is
recorded as imported, the evidence it lacks is owed (the secretary's to-do), and the
project moves on once the bureau has confirmed the import.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import roles
from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Lookup,
    Money,
    Number,
    Ref,
    Row,
    Text,
    WholeNumber,
    YesNo,
    cell_text,
    normalize_key,
)
from zhaoshang.enterprises import services as enterprise_services
from zhaoshang.enterprises.choices import Origin
from zhaoshang.enterprises.creditcode import normalize as normalize_code
from zhaoshang.enterprises.imports import CreditCode
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.imports import department_ref, park_ref
from zhaoshang.org.models import Industry, User, WorkingGroup
from zhaoshang.projects import services
from zhaoshang.projects.choices import STAGE_DATE_FIELDS, Level, ProjectKind, Source, Stage
from zhaoshang.projects.models import Project
from zhaoshang.projects.services.backfill import check_history, import_history, infer_stage

_MONEY = Money(14)

# The words offices write for a project's stage (台账的“项目进度/所处阶段”).
STAGE_ALIASES = {
    Stage.LEAD: ("线索", "在谈线索", "项目线索", "储备", "在库"),
    Stage.NEGOTIATING: ("在谈", "洽谈", "洽谈中", "正在洽谈", "在谈项目", "谈判中"),
    Stage.PREREVIEW: ("预审", "项目预审", "会审", "预审中", "待签约", "拟签约"),
    Stage.SIGNED: ("已签约", "签约", "签约项目", "已签", "已签协议", "签约未注册"),
    Stage.REGISTERED: ("已注册", "注册", "已注册公司", "已落户", "注册落地"),
    Stage.LAND_DELIVERED: ("已供地", "已交地", "供地", "交地", "已摘牌", "已拿地"),
    Stage.STARTED: ("已开工", "开工", "在建", "开工建设", "建设中", "在建项目", "施工中"),
    Stage.COMPLETED: ("已竣工", "竣工", "竣工验收", "已建成", "建成"),
    Stage.PRODUCTION: ("已投产", "投产", "试生产", "试运营", "已运营", "投运"),
    Stage.CAPACITY: ("达产", "已达产", "达产达效", "满产"),
    Stage.TERMINATED: ("终止", "已终止", "中止", "停止洽谈", "放弃"),
    Stage.EXITED: ("退出", "已退出", "已清退", "清退", "退出项目"),
}
# The stage date columns: the project's field (STAGE_DATE_FIELDS), its label, the headers.
_DATE_COLUMNS = (
    (Stage.SIGNED, gettext_lazy("Signed on"), ("签约时间", "签约日期", "协议签订时间", "签订日期")),
    (
        Stage.REGISTERED,
        gettext_lazy("Registered on"),
        ("注册时间", "注册日期", "工商注册时间", "成立日期"),
    ),
    (
        Stage.LAND_DELIVERED,
        gettext_lazy("Land delivered on"),
        ("供地时间", "交地时间", "供地日期", "交地日期", "摘牌时间"),
    ),
    (Stage.STARTED, gettext_lazy("Started on"), ("开工时间", "开工日期", "实际开工时间")),
    (Stage.COMPLETED, gettext_lazy("Completed on"), ("竣工时间", "竣工日期", "竣工验收时间")),
    (Stage.PRODUCTION, gettext_lazy("In production on"), ("投产时间", "投产日期", "试生产时间")),
    (Stage.CAPACITY, gettext_lazy("At capacity on"), ("达产时间", "达产日期")),
    (Stage.TERMINATED, gettext_lazy("Terminated on"), ("终止时间", "终止日期")),
    (Stage.EXITED, gettext_lazy("Exited on"), ("退出时间", "退出日期", "清退时间", "清退日期")),
)
HISTORY_KEYS = ("stage", "stage_reason", *(STAGE_DATE_FIELDS[s] for s, _l, _a in _DATE_COLUMNS))


class ProjectImporter(Importer):
    """Projects of the user's district, with their codes assigned, at the stage the file
    gives (the lead when it gives none) with the history of the stages passed (补录)."""

    kind = "projects"
    model = Project
    sheet_title = gettext_lazy("Projects")
    event_verb = "project.imported"
    columns = (
        Column(
            "name",
            gettext_lazy("Name"),
            Text(120),
            required=True,
            width=30,
            aliases=("项目名称", "项目", "项目全称", "招商项目名称"),
        ),
        Column(
            "kind",
            gettext_lazy("Kind"),
            Choice(
                ProjectKind,
                aliases={
                    ProjectKind.INVESTMENT: ("招商项目", "招商引资项目", "产业项目"),
                    ProjectKind.INFRASTRUCTURE: ("基础设施", "园区基础设施", "基建项目"),
                },
            ),
            help=gettext_lazy("Empty means an investment project."),
            aliases=("项目类型", "项目类别"),
        ),
        Column(
            "enterprise",
            gettext_lazy("Enterprise"),
            Text(120),
            help=gettext_lazy(
                "The investing enterprise; its exact name is enough when the credit code is empty. With its credit code, an enterprise not yet registered is registered with the project."
            ),
            width=30,
            aliases=(
                "投资主体",
                "企业名称",
                "签约企业",
                "投资企业",
                "投资方",
                "项目业主",
                "业主单位",
            ),
        ),
        Column(
            "credit_code",
            gettext_lazy("Credit code"),
            CreditCode(),
            help=gettext_lazy("The credit code of the investing enterprise."),
            width=22,
            aliases=("统一社会信用代码", "信用代码", "社会信用代码", "企业信用代码"),
        ),
        Column(
            "enterprise_origin",
            gettext_lazy("Enterprise origin"),
            Choice(
                Origin,
                aliases={
                    Origin.LOCAL: ("本地", "区内", "本市"),
                    Origin.IN_PROVINCE: ("省内", "市外省内"),
                    Origin.OUT_OF_PROVINCE: ("省外", "外省"),
                    Origin.ABROAD: ("境外", "国外", "外资"),
                },
            ),
            help=gettext_lazy(
                "Only for an enterprise registered with the project: where the investor comes from (empty means local)."
            ),
            aliases=("企业来源", "投资方来源", "来源地", "资金来源地"),
        ),
        Column(
            "industry",
            gettext_lazy("Industry"),
            Ref(
                lambda imp: Industry.objects.filter(district=imp.district).order_by(
                    "sort_order", "id"
                ),
                keys=lambda i: [i.name],
                not_found=gettext_lazy("No industry “%(value)s” in your district."),
                label=lambda i: i.name,
            ),
            aliases=("所属产业", "产业", "行业", "所属行业", "产业类别"),
        ),
        Column(
            "park",
            gettext_lazy("Park"),
            park_ref(),
            required=True,
            width=20,
            aliases=("所属园区", "园区", "落户园区", "项目地点", "落户地点", "所在园区"),
        ),
        Column(
            "level",
            gettext_lazy("Level"),
            Choice(
                Level,
                aliases={
                    Level.MAJOR: ("重大", "重大项目", "省重点", "市重点"),
                    Level.KEY: ("重点", "重点项目", "区重点"),
                    Level.GENERAL: ("一般", "一般项目"),
                },
            ),
            help=gettext_lazy("Empty means general."),
            aliases=("项目级别", "级别", "项目等级"),
        ),
        Column(
            "source",
            gettext_lazy("Source"),
            Choice(
                Source,
                aliases={
                    Source.BUSINESS_REFERRAL: ("以商招商",),
                    Source.RESIDENT: ("驻点招商",),
                    Source.EXPO: ("展会招商", "展会"),
                    Source.SECOND_ROUND: ("二次招商",),
                    Source.INDUSTRY_CHAIN: ("产业链招商",),
                    Source.DIRECT: ("直接招商", "上门招商"),
                    Source.GOVERNMENT: ("政府投资",),
                    Source.OTHER: ("其他",),
                },
            ),
            width=20,
            aliases=("招商方式", "项目来源", "引进方式"),
        ),
        Column(
            "total_investment",
            gettext_lazy("Total investment (10k yuan)"),
            _MONEY,
            required=True,
            aliases=("总投资", "计划总投资", "协议总投资", "项目总投资", "投资总额", "协议投资"),
        ),
        Column(
            "fixed_asset_investment",
            gettext_lazy("Fixed-asset investment (10k yuan)"),
            _MONEY,
            aliases=("固定资产投资", "固投", "固定资产投资额"),
        ),
        Column(
            "land_area",
            gettext_lazy("Land area (mu)"),
            Number(10, 2),
            aliases=("用地面积", "用地（亩）", "用地面积（亩）", "供地面积", "占地面积"),
        ),
        Column(
            "planned_start_on",
            gettext_lazy("Planned start"),
            Date(),
            width=12,
            aliases=("计划开工时间", "计划开工", "拟开工时间"),
        ),
        Column(
            "planned_completion_on",
            gettext_lazy("Planned completion"),
            Date(),
            width=12,
            aliases=("计划竣工时间", "计划竣工", "拟竣工时间"),
        ),
        Column(
            "planned_production_on",
            gettext_lazy("Planned production"),
            Date(),
            width=12,
            aliases=("计划投产时间", "计划投产", "拟投产时间"),
        ),
        Column(
            "designed_output",
            gettext_lazy("Designed annual output (10k yuan)"),
            _MONEY,
            aliases=("达产产值", "设计年产值", "预计年产值", "年产值"),
        ),
        Column(
            "committed_tax",
            gettext_lazy("Committed annual tax (10k yuan)"),
            _MONEY,
            aliases=("承诺税收", "承诺年税收", "达产税收", "预计年税收"),
        ),
        Column(
            "committed_jobs",
            gettext_lazy("Committed jobs"),
            WholeNumber(),
            aliases=("承诺就业", "带动就业", "就业人数", "预计就业"),
        ),
        Column(
            "energy_commitment",
            gettext_lazy("Energy-saving and emission commitments"),
            Text(2000),
            width=24,
            aliases=("节能减排承诺", "能耗承诺"),
        ),
        Column(
            "is_green_channel",
            gettext_lazy("Green channel"),
            YesNo(),
            width=10,
            aliases=("绿色通道", "是否绿色通道"),
        ),
        Column(
            "working_group",
            gettext_lazy("Working group"),
            Ref(
                lambda imp: WorkingGroup.objects.filter(district=imp.district).order_by("id"),
                keys=lambda g: [g.name],
                not_found=gettext_lazy("No working group “%(value)s” in your district."),
                label=lambda g: g.name,
            ),
            width=22,
            aliases=("工作组", "专项工作组", "责任工作组"),
        ),
        Column(
            "designated_leader",
            gettext_lazy("Designated contact leader"),
            Ref(
                lambda imp: (
                    User.objects.filter(
                        district=imp.district, groups__name="leader", is_active=True
                    )
                    .distinct()
                    .order_by("id")
                ),
                keys=lambda u: [u.username, u.real_name],
                not_found=gettext_lazy("No district leader “%(value)s” in your district."),
                ambiguous=gettext_lazy("Several leaders are named “%(value)s”; use the user name."),
                label=lambda u: u.real_name or u.username,
                hint=gettext_lazy("A district leader's name or user name."),
            ),
            aliases=("联系领导", "包联领导", "联系区领导", "牵头领导", "责任领导"),
        ),
        Column(
            "paired_departments",
            gettext_lazy("Paired departments"),
            department_ref(many=True),
            width=24,
            aliases=("结对部门", "责任部门", "配合部门", "包联部门"),
        ),
        Column(
            "description",
            gettext_lazy("Description"),
            Text(4000),
            width=30,
            aliases=("项目简介", "建设内容", "项目概况", "建设规模及内容"),
        ),
        Column(
            "stage",
            gettext_lazy("Stage"),
            Choice(Stage, aliases=STAGE_ALIASES),
            help=gettext_lazy(
                "Where the project stands; empty means the furthest stage with a date below, or the lead."
            ),
            width=14,
            aliases=(
                "项目进度",
                "所处阶段",
                "项目阶段",
                "推进阶段",
                "进展阶段",
                "项目状态",
                "当前阶段",
            ),
        ),
        *(
            Column(STAGE_DATE_FIELDS[stage], label, Date(), width=12, aliases=names)
            for stage, label, names in _DATE_COLUMNS
        ),
        Column(
            "stage_reason",
            gettext_lazy("Reason for ending"),
            Text(500),
            help=gettext_lazy("Required for a terminated or exited project."),
            width=24,
            aliases=("终止原因", "退出原因", "清退原因", "终止/退出原因"),
        ),
    )
    notes = (
        gettext_lazy(
            "A project may come in at its stage: give the stage and the date of every stage it passed from signing on (补录). The history is recorded as imported; the evidence of each stage passed that is not on file is listed on the project as a to-do for its secretary."
        ),
        gettext_lazy(
            "The stage's own date is required from “Signed” on, the dates go in order along the stages and none is in the future; a stage passed without a date takes the next stage's date. The stages before signing take the signing date."
        ),
        gettext_lazy(
            "A terminated project (talks ended before signing) or an exited one (cleared after signing) needs its date and the reason."
        ),
        gettext_lazy(
            "An imported project's stage changes once the bureau has confirmed the import; the evidence still owed does not block it then."
        ),
        gettext_lazy(
            "A major project is signed on the platform only with its leading group formed; an imported signing is not held back by it (the signing happened): name the group on the project team."
        ),
        gettext_lazy("The project code (ZS-YYYY-NNNN) is assigned on import."),
        gettext_lazy(
            "An enterprise not yet registered in the district is registered with the project when the row gives its credit code and its name (its origin from the column “Enterprise origin”, local when empty)."
        ),
        gettext_lazy("A project with the same name and enterprise as a registered one is refused."),
    )

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)

    def prepare(self, rows: list[Row]) -> None:
        super().prepare(rows)
        codes, names = set(), set()
        for row in rows:
            if row.raw.get("credit_code") is not None:
                codes.add(normalize_code(cell_text(row.raw["credit_code"])))
            if row.raw.get("enterprise") is not None:
                names.add(cell_text(row.raw["enterprise"]).strip())
        # A name as the ledger spells it (half-width brackets for the registry's full-width
        # ones, a stray space) is found by the lookup, which folds both: with names, every
        # enterprise of the district is a candidate (still one query).
        enterprises = []
        if names:
            enterprises = list(Enterprise.objects.filter(district=self.district))
        elif codes:
            enterprises = list(
                Enterprise.objects.filter(district=self.district, credit_code__in=codes)
            )
        self._enterprise_by_code = {e.credit_code: e for e in enterprises}
        self._enterprise_by_name = Lookup(
            enterprises,
            keys=lambda e: [e.name],
            not_found=gettext_lazy(
                "No enterprise “%(value)s” is registered in your district; register or import it first."
            ),
            ambiguous=gettext_lazy(
                "Several enterprises are named “%(value)s”; give the credit code."
            ),
        )

    def clean_row(self, row: Row) -> None:
        """One enterprise from the two columns (the credit code decides, the name must
        agree; a code not registered with a name registers the enterprise), and the stage
        history the row gives, checked as ``import_history`` will check it."""
        errors: dict = {}
        try:
            self._clean_enterprise(row)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        dates = {
            stage: row.values.pop(STAGE_DATE_FIELDS[stage], None) for stage, _l, _a in _DATE_COLUMNS
        }
        dates = {k: v for k, v in dates.items() if v}
        reason = row.values.pop("stage_reason", "") or ""
        stage = row.values.pop("stage", None) or infer_stage(dates)
        errors.update(check_history(stage, dates, reason))
        row.values["_history"] = (stage, dates, reason)
        if errors:
            raise ValidationError(errors)

    def _clean_enterprise(self, row: Row) -> None:
        code = row.values.pop("credit_code", None)
        name = row.values.pop("enterprise", None)
        origin = row.values.pop("enterprise_origin", None)
        enterprise = None
        if code:
            enterprise = self._enterprise_by_code.get(code)
            if enterprise is None:
                if not name:
                    raise ValidationError(
                        {
                            "credit_code": _(
                                "No enterprise with this credit code is registered in your district; give its name too to register it with the project."
                            )
                        }
                    )
                # Registered with the row (``create``): the same new code twice is one.
                row.values["_new_enterprise"] = {
                    "name": name,
                    "credit_code": code,
                    "origin": origin or Origin.LOCAL,
                }
            elif name and normalize_key(name) != normalize_key(enterprise.name):
                raise ValidationError(
                    {
                        "enterprise": _(
                            "The credit code belongs to “%(name)s”, not to this enterprise."
                        )
                        % {"name": enterprise.name}
                    }
                )
        elif name:
            try:
                enterprise = self._enterprise_by_name.get(name)
            except ValidationError as exc:
                raise ValidationError({"enterprise": exc.messages})
        row.values["enterprise"] = enterprise

    @staticmethod
    def _enterprise_key(values) -> object:
        enterprise = values.get("enterprise")
        if enterprise is not None:
            return enterprise.pk
        new = values.get("_new_enterprise")
        return ("new", new["credit_code"]) if new else None

    def check_rows(self, rows):
        """The same project (name and enterprise) twice in the file or already registered;
        one enterprise to register given two names."""

        def key(name, enterprise_key):
            return normalize_key(name), enterprise_key

        first: dict[tuple, int] = {}
        new_names: dict[str, str] = {}
        for row in rows:
            new = row.values.get("_new_enterprise")
            if new:
                known = new_names.setdefault(new["credit_code"], new["name"])
                if normalize_key(known) != normalize_key(new["name"]):
                    row.ok = False
                    yield self.problem(
                        row,
                        "enterprise",
                        _("The credit code is given to “%(name)s” in another row.")
                        % {"name": known},
                    )
                    continue
            k = key(row.values["name"], self._enterprise_key(row.values))
            if k in first:
                row.ok = False
                yield self.problem(
                    row,
                    "name",
                    _("The same project (name and enterprise) also appears in row %(row)d.")
                    % {"row": first[k]},
                )
            else:
                first[k] = row.number
        registered = {
            key(name, enterprise_id): code
            for name, enterprise_id, code in Project.objects.filter(
                district=self.district, name__in=[r.values["name"] for r in rows]
            )
            .order_by()
            .values_list("name", "enterprise_id", "code")
        }
        for row in rows:
            code = registered.get(key(row.values["name"], self._enterprise_key(row.values)))
            if code and row.ok:
                row.ok = False
                yield self.problem(
                    row,
                    "name",
                    _("This project is already registered as %(code)s.") % {"code": code},
                )

    def create_row(self, row: Row):
        self._row = row  # (``create`` names the row as the history's source)
        return super().create_row(row)

    def create(self, values):
        stage, dates, reason = values.pop("_history")
        new = values.pop("_new_enterprise", None)
        made = []
        if new:
            values["enterprise"], registered = self._new_enterprise(new)
            made = [values["enterprise"]] if registered else []
        departments = values.pop("paired_departments", ())
        project = services.create_project(
            self.user, self.district, values, paired_departments=departments
        )
        if stage != Stage.LEAD:
            row = getattr(self, "_row", None)
            # The events and the evidence owed are the batch's too: undoing the project
            # takes them (``core.imports.batches.snapshot`` records its cascade).
            import_history(
                self.user,
                project,
                stage,
                dates,
                batch=getattr(self, "batch", None),
                source=self.source(row) if row is not None else "",
                reason=reason,
            )
        return [project, *made]

    def _new_enterprise(self, data: dict) -> tuple[Enterprise, bool]:
        """The enterprise a row registers (once per credit code in the file), and whether
        this row registered it."""
        made = self.__dict__.setdefault("_registered", {})
        if data["credit_code"] in made:
            return made[data["credit_code"]], False
        try:
            enterprise = enterprise_services.create_enterprise(self.user, self.district, data)
        except ValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms]
            raise ValidationError({"credit_code": messages})
        made[data["credit_code"]] = enterprise
        return enterprise, True

    def summary(self, created):
        return {"codes": [p.code for p in created if isinstance(p, Project)]}

    def reference_lists(self):
        enterprises = list(
            Enterprise.objects.filter(district=self.district)
            .order_by("name", "id")
            .values_list("name", "credit_code")
        )
        return [
            (_("Enterprise"), [name for name, _code in enterprises]),
            (_("Credit code"), [code for _name, code in enterprises]),
        ]
