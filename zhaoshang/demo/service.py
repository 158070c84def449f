"""Project service in the demo city (SPEC §7, 回执单制度): the receipts the project teams
filed over the last months, read or waiting in the inbox of the leader in charge (the demo
account ``leader`` among them), the leaders' instructions with their supervised action
items, the problem list in every state (overdue and submitted to a joint meeting too) and
second-round service records of each kind.

Receipts, problems and second-round records are built directly, dated in the past as the
services would have dated them (the services stamp today); due dates come from
``workdays.add_workdays``, the rule itself. Instructions are written through
``service.services.write_instruction`` so that their action items are created by the
meetings app's ``create_action_item``; as action items cannot be due before today, only
recent receipts get instructions, and their records are backdated to the day written.
"""

from __future__ import annotations

import datetime
import itertools
import random
import zoneinfo
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock
from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.replay import Timeline
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import mark_read
from zhaoshang.projects.choices import EXIT_STAGES, Level, Stage, TeamRole
from zhaoshang.service import services
from zhaoshang.service.choices import (
    NeedCategory,
    NeedStatus,
    RaisedVia,
    ReceiptResult,
    SecondRoundKind,
)
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.service.services import receipts as receipt_services
from zhaoshang.workdays import services as workdays

SEED = 2026_07
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)
# How far back the receipts go, and how many a project's team filed in that time.
HISTORY_DAYS = 150
# A problem due longer ago than this has mostly been settled.
NEED_SETTLED_AFTER = datetime.timedelta(days=7)
RECEIPTS_PER_PROJECT = {Level.MAJOR: (3, 6), Level.KEY: (2, 4), Level.GENERAL: (1, 3)}
RESULT_WEIGHTS = [
    (ReceiptResult.DONE, 45),
    (ReceiptResult.IN_PROGRESS, 35),
    (ReceiptResult.NEEDS_COORDINATION, 20),
]
# Receipts the demo leader has not opened yet (at least).
UNREAD_FOR_LEADER = 4

# What the team goes to each department for: (matter, what was done).
MATTERS = {
    "center": [
        ("审批事项代办对接", "与代办员逐项梳理项目审批事项清单，确认各事项申报材料目录和办理时限"),
        ("并联审批材料预审", "政务服务中心窗口对申报材料进行预审，一次性告知需补正的材料"),
    ],
    "aic": [
        ("营业执照变更登记", "提交股东变更及章程修正案，窗口当场受理"),
        ("分公司设立登记", "核对名称预先核准通知书及住所证明，材料齐全予以受理"),
    ],
    "works": [
        ("施工许可证办理", "提交施工图审查合格书、中标通知书及安全生产措施备案资料"),
        ("施工图审查进度协调", "与审图机构对接审查意见，明确整改要求和复审时间"),
        ("质量安全监督备案", "提交监理合同及施工组织设计，办理质量安全监督注册"),
    ],
    "planning": [
        ("建设工程规划许可证", "报送总平面图及建筑方案，规划局组织技术审查"),
        ("规划条件核实", "现场核对建筑退线和容积率，形成核实意见"),
    ],
    "land": [
        ("不动产权证书办理", "提交土地出让合同及缴款凭证，登记窗口受理"),
        ("用地红线复核", "会同国土所现场复核用地红线及界桩位置"),
    ],
    "eco": [
        ("环评报告书审批", "提交环境影响报告书，生态环境局组织专家技术评估"),
        ("排污许可登记", "在线填报排污许可登记信息并提交纸质材料"),
    ],
    "power": [
        ("施工临时用电报装", "提交用电申请及负荷清单，供电公司安排现场勘查"),
        ("正式用电增容", "商定供电方案及配电工程建设时间"),
    ],
    "tapwater": [("供水接入报装", "提交用水申请，确定接水点位置和管径")],
    "gas": [("天然气接入报装", "确认用气负荷及接气点，燃气公司出具供气方案")],
    "fire": [("消防设计审查", "提交消防设计文件，消防大队出具审查意见")],
    "tax": [("税务登记及发票申领", "办理税务报到、税种核定并申领增值税发票")],
    "econ": [("技改项目备案", "提交技术改造项目备案申请及可研报告")],
    "ndrc": [("企业投资项目备案", "在线提交项目备案信息，发改局出具备案证明")],
    "hr": [("用工招聘对接", "人社局协助发布招聘信息，安排专场招聘会")],
    "safety": [("安全评价备案", "提交安全预评价报告，应急局登记备案")],
}
PROBLEMS_BY_DEPARTMENT = {
    "power": "施工临时用电容量不足，需供电公司增容并明确送电时间",
    "gas": "天然气管网接入滞后，影响设备调试",
    "tapwater": "供水管网尚未铺设至厂区红线，需协调水务部门同步施工",
    "land": "用地红线与实际地形不一致，需国土、规划部门联合复核",
    "planning": "规划方案调整涉及容积率变化，需规委会研究",
    "works": "施工图审查意见整改涉及设计单位，进度偏慢",
    "eco": "环评批复前置条件中的污水管网接入点尚未明确",
    "fire": "消防设计审查意见与设计规范理解不一致，需专题协调",
    "hr": "技术工人招聘困难，需人社部门协助对接职业院校",
    "center": "部分审批事项互为前置，需召开联席会议同时审批",
}
# The problem list: category → (departments in order of preference, title, description).
NEED_TOPICS = {
    NeedCategory.LAND: (("land",), "用地手续办理", "项目二期用地指标尚未落实，影响总平面布置"),
    NeedCategory.APPROVAL: (
        ("center", "works"),
        "审批事项互为前置",
        "施工许可与消防设计审查互为前置条件，企业无法推进",
    ),
    NeedCategory.FINANCING: (
        ("finance", "bureau"),
        "项目融资对接",
        "设备采购资金缺口约3000万元，需协调银行开展项目融资",
    ),
    NeedCategory.UTILITIES: (
        ("power", "tapwater", "gas", "works"),
        "水电气接入",
        "厂区正式用电、供水接入时间滞后于设备安装计划",
    ),
    NeedCategory.LABOUR: (
        ("hr", "bureau"),
        "用工招聘",
        "投产前需招聘技术工人约200名，招聘进度偏慢",
    ),
    NeedCategory.POLICY: (
        ("econ", "finance", "bureau"),
        "招商政策兑现",
        "投资协议约定的固定资产投资补助尚未兑现",
    ),
    NeedCategory.INFRASTRUCTURE: (
        ("transport", "works"),
        "进场道路建设",
        "进场道路未完全贯通，大件设备运输不便",
    ),
    NeedCategory.OTHER: (("bureau",), "其他诉求", "企业员工子女入学需协调教育部门"),
}
RESOLUTIONS = [
    "已协调相关部门现场办公，问题已解决，企业确认",
    "相关部门已按时限办结，企业反馈满意",
    "经协调，由责任部门先行实施，问题已落实",
]
ESCALATION_NOTES = [
    "涉及多个部门职责交叉，部门层面无法解决，提请联席会议研究",
    "需区政府统筹资金和要素保障，提交联席会议专题研究",
]
CLOSE_REASONS = ["企业调整建设方案，诉求已撤回", "经核实已通过其他渠道解决，企业同意关闭"]
INSTRUCTIONS = [
    "请{department}牵头，{days}个工作日内协调解决，结果报我。",
    "此事影响项目建设进度，请{department}高度重视，抓紧办理。",
    "请{department}主动对接企业，限期办结，督查室跟踪督办。",
]
SECOND_ROUND = {
    SecondRoundKind.PARTNER: [
        (
            "锦川精密铸造有限公司",
            "引荐上游铸件配套企业来区考察，洽谈配套供应",
            "双方签订配套供货意向协议",
        ),
        ("蓉欣包装材料有限公司", "对接下游包装配套需求，组织供需见面会", "已开展小批量试供"),
        (
            "华川物流集团",
            "引荐第三方物流企业为项目提供仓储配送服务",
            "物流企业拟在园区设立分拨中心",
        ),
    ],
    SecondRoundKind.FINANCING: [
        ("区农商银行", "组织银企对接会，推荐项目固定资产贷款", "银行已完成授信审批"),
        ("建设银行锦川分行", "协助企业申报技改专项贷款", "首笔贷款已发放"),
        ("锦川市产业引导基金", "推荐项目申请产业基金股权投资", "基金已完成尽职调查"),
    ],
    SecondRoundKind.UPGRADE: [
        (
            "锦川市智能制造研究院",
            "组织专家开展诊断，制定智能化改造方案",
            "改造后亩均产值预计提升30%",
        ),
        ("省节能技术服务中心", "开展能效诊断，推荐节能改造技术路线", "企业已启动余热回收改造"),
    ],
}


def _local(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(SHANGHAI).date()


class ServiceBuilder:
    """Adds receipts, instructions, problems and second-round records to the worlds a
    DemoBuilder built (after its ApprovalsBuilder)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.now = datetime.datetime.combine(self.today, datetime.time(9, 0), tzinfo=SHANGHAI)
        self.rng = random.Random(SEED)
        self.receipt_type = ContentType.objects.get_for_model(Receipt)
        self.need_type = ContentType.objects.get_for_model(Need)
        self.events: list[DomainEvent] = []
        self.receipts: list[Receipt] = []
        self.needs: list[Need] = []

    # -- entry point --------------------------------------------------------------------------

    def build(self) -> None:
        for world in self.builder.worlds:
            self._receipts(world)
        self._leader_inbox(self.builder.worlds[0])
        self._save_receipts()
        for world in self.builder.worlds:
            self._needs(world)
        self._save_needs()
        for world in self.builder.worlds:
            self._second_round(world)
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)
        self._instructions(self.builder.worlds[0])

    # -- helpers --------------------------------------------------------------------------------

    def _plans(self, world):
        return sorted(
            (
                p
                for p in world.plans
                if p.team and p.project.signed_on and p.stage not in EXIT_STAGES
            ),
            key=lambda p: p.project.code,
        )

    def _workday_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A working day in [first, last] (``last`` itself when there is none)."""
        span = (last - first).days
        for _ in range(10):
            day = first + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))
            if day <= last and workdays.is_workday(day):
                return day
        return last

    def _at(self, day: datetime.date, earliest=9, latest=17) -> datetime.datetime:
        moment = self.builder._at(day, earliest, latest)
        return min(moment, self.now - datetime.timedelta(minutes=self.rng.randint(5, 90)))

    def _event(self, ctype, obj, actor, verb, when, summary="", **data) -> None:
        clean = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
        self.events.append(
            DomainEvent(
                district_id=obj.district_id,
                occurred_at=when,
                actor=actor,
                verb=verb,
                content_type=ctype,
                object_id=obj.pk,
                summary=summary[:300],
                data=clean,
            )
        )

    # -- receipts -------------------------------------------------------------------------------

    def _receipts(self, world) -> None:
        rng = self.rng
        keys = [k for k in MATTERS if k in world.departments]
        cases = defaultdict(list)
        for case in (
            ApprovalCase.objects.filter(district=world.district)
            .select_related("item")
            .order_by("pk")
        ):
            cases[(case.project_id, case.department_id)].append(case)
        handlers = getattr(world, "handlers", {})
        earliest = self.today - datetime.timedelta(days=HISTORY_DAYS)
        for plan in self._plans(world):
            project = plan.project
            low, high = RECEIPTS_PER_PROJECT[plan.level]
            # (filed by the team: from the day after it was named)
            start = max(project.signed_on, earliest, plan.team_since + ONE_DAY)
            last = self.today - ONE_DAY
            if start > last:
                continue
            for _ in range(rng.randint(low, high)):
                key = rng.choice(keys)
                department = world.departments[key]
                matter, done = rng.choice(MATTERS[key])
                visited_on = self._workday_between(start, last)
                result = rng.choices(
                    [r for r, _w in RESULT_WEIGHTS], [w for _r, w in RESULT_WEIGHTS]
                )[0]
                problems = ""
                if result == ReceiptResult.NEEDS_COORDINATION:
                    problems = PROBLEMS_BY_DEPARTMENT.get(key) or rng.choice(
                        list(PROBLEMS_BY_DEPARTMENT.values())
                    )
                case_options = cases.get((project.pk, department.pk))
                handler = handlers.get(department.pk)
                filer = plan.team[
                    TeamRole.SECRETARY if rng.random() < 0.7 else TeamRole.SERVICE_OFFICER
                ]
                filed_at = self._at(visited_on, 15, 18)
                addressee = plan.team.get(TeamRole.MANAGER) or plan.leader
                receipt = Receipt(
                    district_id=project.district_id,
                    project=project,
                    visited_on=visited_on,
                    department=department,
                    handler_name=handler.display_name if handler else self.builder._person(),
                    handler_user=handler,
                    matter=matter,
                    approval_case=rng.choice(case_options) if case_options else None,
                    work_done=done,
                    result=result,
                    problems=problems,
                    filed_by=filer,
                    filed_at=filed_at,
                    addressee=addressee,
                )
                age = (self.today - visited_on).days
                receipt.read_plan = None
                if addressee is not None and rng.random() < (0.92 if age > 10 else 0.35):
                    read_at = filed_at + datetime.timedelta(hours=rng.randint(1, 60))
                    if read_at < self.now:
                        receipt.read_plan = read_at
                receipt.plan = plan
                self.receipts.append(receipt)

    def _leader_inbox(self, world) -> None:
        """The demo leader has receipts waiting: the latest few stay unread."""
        leader = world.role_users[Role.LEADER]
        theirs = sorted(
            (r for r in self.receipts if r.addressee is leader),
            key=lambda r: r.filed_at,
            reverse=True,
        )
        for receipt in theirs[:UNREAD_FOR_LEADER]:
            receipt.read_plan = None

    def _save_receipts(self) -> None:
        """Each receipt filed by its team member at its moment (numbered, logged and sent to
        the leader by ``file_receipt``), and opened by the leader later (``mark_receipt_read``,
        the message with it read at the same moment)."""
        self.receipts.sort(key=lambda r: (r.district_id, r.filed_at))
        line = Timeline(self.today, now=self.now)
        for receipt in self.receipts:
            line.add(receipt.filed_at, self._file_receipt, receipt)
            if receipt.read_plan:
                line.add(receipt.read_plan, self._read_receipt, receipt)
        line.run()

    def _file_receipt(self, receipt: Receipt) -> None:
        fields = {f: getattr(receipt, f) for f in receipt_services.CORRECTABLE}
        saved = receipt_services.file_receipt(receipt.filed_by, receipt.project, **fields)
        # The planned instance (which the plans hold) becomes the saved row.
        receipt.__dict__.update(saved.__dict__)

    def _read_receipt(self, receipt: Receipt) -> None:
        leader = receipt.addressee
        if receipt_services.mark_receipt_read(leader, receipt):
            receipt.read_at = clock.now()
            notes = Notification.objects.filter(
                recipient=leader, verb="receipt.filed", url=receipt.get_absolute_url()
            )
            mark_read(leader, list(notes.values_list("pk", flat=True)))

    def _counters(self, key: str, numbers: dict) -> None:
        for (district_id, year), value in numbers.items():
            Counter.objects.update_or_create(
                district_id=district_id, key=f"{key}-{year}", defaults={"value": value}
            )

    # -- the problem list -----------------------------------------------------------------------

    def _department_for(self, world, category):
        preferred, _title, _text = NEED_TOPICS[category]
        for key in preferred:
            if key in world.departments:
                return world.departments[key]
        return world.departments["bureau"]

    def _needs(self, world) -> None:
        """Problems from the receipts that needed coordination, and some raised directly;
        every status, with overdue ones and ones submitted to a joint meeting."""
        rng = self.rng
        coordination = [
            r
            for r in self.receipts
            if r.district_id == world.district.pk and r.result == ReceiptResult.NEEDS_COORDINATION
        ]
        rows = []
        for receipt in coordination:
            if rng.random() < 0.75:
                rows.append((receipt.plan, receipt, receipt.visited_on))
        plans = self._plans(world)
        for plan in rng.sample(plans, min(len(plans), 6 if world is self.builder.worlds[0] else 2)):
            raised = self._workday_between(
                max(plan.project.signed_on, self.today - datetime.timedelta(days=90)),
                self.today - ONE_DAY,
            )
            rows.append((plan, None, raised))
        rows.sort(key=lambda row: (row[2], row[0].project.code))
        # The status each problem has now, cycling so that every status is represented: the
        # ones raised long ago or well past their date mostly settled (a few still before the
        # joint meeting, a few overdue), the ones still within their time open.
        settled = itertools.cycle(
            [
                NeedStatus.RESOLVED,
                NeedStatus.CLOSED,
                NeedStatus.RESOLVED,
                NeedStatus.ESCALATED,
                NeedStatus.RESOLVED,
                NeedStatus.IN_PROGRESS,
                NeedStatus.CLOSED,
                NeedStatus.RESOLVED,
            ]
        )
        fresh = itertools.cycle(
            [
                NeedStatus.PENDING,
                NeedStatus.IN_PROGRESS,
                NeedStatus.RESOLVED,
                NeedStatus.IN_PROGRESS,
            ]
        )
        for plan, receipt, raised_on in rows:
            category = (
                self._category_of(world, receipt)
                if receipt is not None
                else rng.choice(list(NeedCategory.values))
            )
            _keys, title, text = NEED_TOPICS[category]
            department = (
                receipt.department
                if receipt is not None and category != NeedCategory.FINANCING
                else self._department_for(world, category)
            )
            days = rng.choice([3, 5, 5, 10, 15])
            due = workdays.add_workdays(raised_on, days)
            cycle = fresh if due.date >= self.today - NEED_SETTLED_AFTER else settled
            raiser = receipt.filed_by if receipt is not None else plan.team[TeamRole.SECRETARY]
            need = Need(
                district_id=world.district.pk,
                project=plan.project,
                receipt=receipt,
                raised_via=RaisedVia.RECEIPT if receipt is not None else RaisedVia.TEAM,
                raised_by=raiser,
                raised_on=raised_on,
                category=category,
                title=title if receipt is None else f"{title}：{receipt.matter}",
                description=receipt.problems if receipt is not None else text,
                department=department,
                due_workdays=days,
                due_on=due.date,
                due_is_provisional=due.provisional,
                status=next(cycle),
            )
            need.steps = [("need.raised", raised_on, raiser, f"{title}")]
            self._progress(world, need, plan)
            self.needs.append(need)

    def _category_of(self, world, receipt) -> str:
        key = next((k for k, d in world.departments.items() if d.pk == receipt.department_id), None)
        return {
            "land": NeedCategory.LAND,
            "planning": NeedCategory.LAND,
            "power": NeedCategory.UTILITIES,
            "tapwater": NeedCategory.UTILITIES,
            "gas": NeedCategory.UTILITIES,
            "hr": NeedCategory.LABOUR,
            "center": NeedCategory.APPROVAL,
            "works": NeedCategory.APPROVAL,
            "eco": NeedCategory.APPROVAL,
            "fire": NeedCategory.APPROVAL,
        }.get(key, NeedCategory.OTHER)

    def _progress(self, world, need: Need, plan) -> None:
        """Dates and people of the steps up to the problem's present status."""
        rng = self.rng
        last = self.today - ONE_DAY
        handler = (
            getattr(world, "handlers", {}).get(need.department_id)
            or plan.team[TeamRole.SERVICE_OFFICER]
        )
        day = need.raised_on
        if need.status in (NeedStatus.IN_PROGRESS, NeedStatus.RESOLVED, NeedStatus.ESCALATED):
            day = min(last, day + datetime.timedelta(days=rng.randint(0, 3)))
            need.steps.append(("need.started", day, handler, ""))
        if need.status == NeedStatus.RESOLVED:
            day = min(last, max(day, need.due_on - datetime.timedelta(days=rng.randint(-3, 6))))
            need.resolved_on = max(day, need.raised_on)
            need.resolution = rng.choice(RESOLUTIONS)
            need.steps.append(("need.resolved", need.resolved_on, handler, need.resolution))
        elif need.status == NeedStatus.ESCALATED:
            day = min(last, day + datetime.timedelta(days=rng.randint(2, 8)))
            need.escalated_on = day
            need.escalated_by = plan.team[TeamRole.SECRETARY]
            need.escalation_note = rng.choice(ESCALATION_NOTES)
            need.steps.append(("need.escalated", day, need.escalated_by, need.escalation_note))
        elif need.status == NeedStatus.CLOSED:
            day = min(last, day + datetime.timedelta(days=rng.randint(1, 10)))
            need.closed_on = day
            need.resolution = rng.choice(CLOSE_REASONS)
            need.steps.append(("need.closed", day, plan.team[TeamRole.SECRETARY], need.resolution))
        need.version = len(need.steps)

    def _save_needs(self) -> None:
        numbers: dict[tuple[int, int], int] = defaultdict(int)
        self.needs.sort(key=lambda n: (n.district_id, n.raised_on, n.project.code))
        for need in self.needs:
            year = need.raised_on.year
            numbers[(need.district_id, year)] += 1
            need.number = f"WT-{year}-{numbers[(need.district_id, year)]:04d}"
            verb, day, actor, _summary = need.steps[-1]
            need._history_user = actor
            need._history_date = self._at(day)
            need.created_at = need.updated_at = self._at(need.raised_on)
        from zhaoshang.demo.approvals import _stamped

        with _stamped(Need):
            bulk_create_with_history(self.needs, Need, batch_size=500)
        self._counters("need", numbers)
        for need in self.needs:
            previous = None
            for verb, day, actor, summary in need.steps:
                when = self._at(day, 9, 17)
                if previous is not None and when <= previous:
                    when = previous + datetime.timedelta(minutes=self.rng.randint(10, 90))
                previous = when
                self._event(self.need_type, need, actor, verb, when, summary or need.title)

    # -- second-round service -----------------------------------------------------------------

    def _second_round(self, world) -> None:
        rng = self.rng
        mature = [
            p
            for p in self._plans(world)
            if p.stage in (Stage.STARTED, Stage.COMPLETED, Stage.PRODUCTION, Stage.CAPACITY)
        ]
        if not mature:
            return
        bureau = world.role_users[Role.BUREAU]
        line = Timeline(self.today, now=self.now)
        count = 12 if world is self.builder.worlds[0] else 3
        kinds = list(SecondRoundKind)
        for i in range(count):
            kind = kinds[i % len(kinds)]
            plan = rng.choice(mature)
            counterparty, description, outcome = rng.choice(SECOND_ROUND[kind])
            alone = kind == SecondRoundKind.UPGRADE and i % 2 == 0
            first = self.today - datetime.timedelta(days=200)
            if not alone:  # recorded by the team: once it was named
                first = max(first, plan.team_since + ONE_DAY)
            on = self._workday_between(first, self.today - ONE_DAY)
            amount = None
            if kind == SecondRoundKind.FINANCING:
                amount = Decimal(rng.choice([500, 1000, 2000, 3000, 5000, 8000]))
            elif kind == SecondRoundKind.PARTNER and rng.random() < 0.4:
                amount = Decimal(rng.choice([2000, 5000, 12000]))
            recorder = bureau if alone else plan.team[TeamRole.SECRETARY]
            record = {
                "kind": kind,
                "project": None if alone else plan.project,
                "enterprise": plan.project.enterprise,
                "occurred_on": on,
                "counterparty": counterparty,
                "amount": amount,
                "description": description,
                "outcome": outcome,
            }
            line.add(self._at(on, 16, 18), services.record_second_round, recorder, **record)
        line.run()

    # -- instructions -------------------------------------------------------------------------

    def _instructions(self, world) -> None:
        """Recent receipts the leaders read and instructed on, through the service: each
        instruction creates its action items (督办事项) in the meetings app."""
        rng = self.rng
        recent = [
            r
            for r in self.receipts
            if r.district_id == world.district.pk
            and r.read_at is not None
            and r.result != ReceiptResult.DONE
            and (self.today - r.visited_on).days <= 30
            and _local(r.read_at) < self.today
        ]
        rng.shuffle(recent)
        chosen = sorted(recent[:8], key=lambda r: r.read_at)
        for receipt in chosen:
            written_on = _local(receipt.read_at)
            left = workdays.workdays_between(written_on, self.today)
            days = left + rng.randint(3, 10)
            owner = receipt.department
            items = [{"owner_department": owner, "due_workdays": days}]
            handler = receipt.handler_user
            if handler is not None and handler.department_id == owner.pk:
                items[0]["owner_person"] = handler
            if rng.random() < 0.4:
                bureau = world.departments["bureau"]
                items.append(
                    {
                        "title": f"跟踪{receipt.project.name}{receipt.matter}办理进度",
                        "owner_department": bureau,
                        "due_workdays": days + 5,
                    }
                )
            text = rng.choice(INSTRUCTIONS).format(department=owner.name, days=days)
            when = receipt.read_at + datetime.timedelta(minutes=rng.randint(5, 120))
            # Written on the moment, a while after the leader read the receipt.
            with clock.at(min(when, self.now)):
                services.write_instruction(
                    receipt.addressee, receipt, text=text, items=items, written_on=written_on
                )


def service_counts(district_ids) -> dict[str, int]:
    """Service records of the demo districts (for the summary and the tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "receipts": Receipt.objects.filter(in_districts).count(),
        "instructions": Instruction.objects.filter(in_districts).count(),
        "needs": Need.objects.filter(in_districts).count(),
        "second-round services": SecondRoundService.objects.filter(in_districts).count(),
    }
