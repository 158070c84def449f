"""Complaints of the demo city (SPEC §9, 投诉): what enterprises complained about over the
last nine months, received by the supervision office, dispatched to the departments
complained about, accepted, answered and rated — most closed, one reopened after a
不满意, some answered and waiting for the enterprise's rating, a few being handled now
(two of them late), one waiting to be dispatched; substantiated ones are in the
departments' assessment ledger.

Rows are built directly, dated in the past as the services would have dated them; the
time limits come from the working-day calendar; numbers from the district's counters; the
ledger from ``assessment.services.write_rule_entry`` as the answer would have written it.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.assessment.models import LedgerEntry, RuleCode
from zhaoshang.assessment.services import write_rule_entry
from zhaoshang.complaints.choices import (
    ACCEPT_WORKDAYS,
    ANSWER_WORKDAYS,
    EXTENSION_MAX_WORKDAYS,
    SUBSTANTIATED_OUTCOMES,
    Category,
    Channel,
    ComplaintStatus,
    Outcome,
    Rating,
)
from zhaoshang.complaints.models import Complaint, ComplaintExtension, ComplaintLimit
from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar, _stamped
from zhaoshang.notifications.services import notify

SEED = 2026_11
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# What enterprises complained about: (category, department key, text, answer when
# substantiated, answer when not).
STORIES = [
    (
        Category.ARBITRARY_INSPECTIONS,
        "safety",
        "一个月内应急管理部门三次到厂检查，每次检查内容基本相同，且未出示检查审批手续，影响企业正常生产。",
        "经核实，该局存在未经申报审批重复入企检查的问题，已责令整改，今后相关检查纳入联合检查。",
        "经核实，三次检查中两次为上级督导的安全生产专项检查，已履行报备手续，检查人员出示了执法证件。",
    ),
    (
        Category.ARBITRARY_FEES,
        "works",
        "办理施工许可时被要求缴纳一笔“配套服务费”，未见收费依据和收费文件。",
        "经核查，该费用无收费依据，已全额退还企业并对相关人员进行诫勉谈话。",
        "经核查，所收费用为城市基础设施配套费，依据省物价部门文件收取，已向企业出示收费依据。",
    ),
    (
        Category.ARBITRARY_FINES,
        "eco",
        "环保执法人员以排污口标识不规范为由处以罚款，未给予整改期限。",
        "经核实，该情形属于首次轻微违法，依法应当责令改正、不予处罚，已撤销处罚决定。",
        "经核实，企业排污口标识问题已两次责令整改未落实，处罚程序合法，已向企业作出说明。",
    ),
    (
        Category.ARBITRARY_LEVIES,
        "econ",
        "有关部门要求企业订阅行业刊物、参加收费培训，并摊派赞助活动经费。",
        "经查属实，已责成该局停止摊派行为，退还相关费用，并在全局范围内开展作风整顿。",
        "经查，相关培训为企业自愿报名，未发现强制摊派行为，已向企业解释说明。",
    ),
    (
        Category.EFFICIENCY,
        "land",
        "不动产权证书申请材料齐全已超过法定时限，仍未办结，多次询问没有明确答复。",
        "经核实，因内部流转环节延误导致超期，已于当日办结并向企业致歉，对经办人员进行通报批评。",
        "经核实，申请材料中宗地图与实测面积不符，已一次性告知补正，企业补正后已按时办结。",
    ),
    (
        Category.ATTITUDE,
        "center",
        "在政务服务中心窗口咨询时，工作人员态度生硬，未一次性告知所需材料。",
        "经调取窗口录像核实属实，已对该窗口工作人员进行批评教育，并调整岗位。",
        "经调取窗口录像，工作人员已按要求出具一次性告知单，已向企业解释说明。",
    ),
    (
        Category.POLICY,
        "finance",
        "投资协议约定的产业扶持资金已满足兑现条件，至今未拨付。",
        "经核实，扶持资金审核已完成但拨付延迟，已于本月拨付到位。",
        "经核实，企业固定资产投资尚未达到协议约定的兑现条件，已向企业说明兑现标准。",
    ),
    (
        Category.EFFICIENCY,
        "power",
        "项目临时用电申请提交后迟迟未安排现场勘查，影响施工进度。",
        "经核实，供电公司未按承诺时限勘查，已安排专人对接并于三日内完成接电。",
        "经核实，因企业用电容量申报有误需重新核定，供电公司已协助企业完成变更。",
    ),
    (
        Category.ARBITRARY_INSPECTIONS,
        "fire",
        "消防部门在企业宁静日期间入企检查，未出示检查审批验证码。",
        "经核实，该次检查未经申报审批，已对相关人员进行批评教育，并纳入部门考核。",
        "经核实，该次检查为火灾隐患举报核查，属于应急检查，已按规定事后报备。",
    ),
    (
        Category.EFFICIENCY,
        "works",
        "施工图审查意见反复修改，每次提出新的问题，审查周期过长。",
        "经核实，审查意见未一次性提出，已要求审图机构集中出具意见并限期办结。",
        "经核实，企业多次修改设计方案导致重新审查，审查机构均在时限内出具意见。",
    ),
    (
        Category.OTHER,
        "transport",
        "项目进场道路施工长期占道，材料运输车辆无法通行。",
        "经核实，道路施工单位未按方案设置临时通道，已责令整改并开辟临时便道。",
        "经核实，道路施工已按方案预留临时通道，已协调施工单位加强现场疏导。",
    ),
    (
        Category.ARBITRARY_FEES,
        "tapwater",
        "供水接驳被要求额外缴纳管网建设费用，且价格明显高于周边项目。",
        "经核查，该费用超出规定标准，已按标准重新核定并退还多收部分。",
        "经核查，收费标准与周边项目一致，已向企业出示收费依据和计算明细。",
    ),
]

# Visits and fees with no approval code, reported by the enterprise (乱检查/乱收费): they
# become complaints flagged as such, and their report rows are written by the inspections
# demo. (category, department key, text, answer when substantiated, answer when not)
UNAPPROVED_STORIES = [
    (
        Category.ARBITRARY_INSPECTIONS,
        "aic",
        "市场监管执法人员到厂开展产品质量检查，企业要求出示检查验证码，对方未能提供。",
        "经核实，该次检查未履行申报审批程序，已责令停止并对相关责任人通报批评，纳入部门考核。",
        "经核实，该次检查已申报审批，验证码因系统故障未能当场出示，已向企业说明。",
    ),
    (
        Category.ARBITRARY_FEES,
        "water",
        "水务部门工作人员上门收取“排水设施检测费”，未出示收费申报验证码和收费依据。",
        "经核实，该项收费未经申报审批，已全额退还企业，相关人员停职检查。",
        "经核实，该项收费已申报审批，已向企业出示收费依据和验证码。",
    ),
]

CONTACTS = ["办公室主任", "项目经理", "财务负责人", "行政主管", "总经理助理"]
REOPEN_ANSWERS = [
    "经再次核查并与企业当面沟通，已明确整改时限，相关问题已于本周整改到位。",
    "经复查，已重新作出处理意见，并安排分管负责人上门向企业说明。",
]

# The demo district's complaints: (days ago received, story, plan). Plans:
# closed (rated satisfied or fairly), reopened (rated dissatisfied, answered again, rated),
# rating (answered, the rating is due), accepted, dispatched, received; ``late`` ones are
# past their deadline today.
DEMO_PLAN = [
    (265, 0, "closed"),
    (223, 0, "closed", "unapproved"),
    (248, 1, "closed"),
    (231, 2, "closed"),
    (214, 4, "closed"),
    (196, 5, "closed"),
    (181, 6, "reopened"),
    (166, 7, "closed"),
    (150, 9, "closed"),
    (137, 3, "closed"),
    (121, 10, "closed"),
    (106, 11, "closed"),
    (92, 0, "closed"),
    (78, 8, "closed"),
    (64, 4, "reopened"),
    (51, 1, "closed"),
    (40, 6, "closed"),
    (29, 9, "rating"),
    (22, 2, "rating"),
    (17, 5, "late-accepted"),
    (13, 7, "late-dispatched"),
    (12, 4, "accepted", "extended"),
    (7, 6, "accepted", "extension-asked"),
    (5, 1, "dispatched", "unapproved"),
    (6, 1, "accepted"),
    (3, 4, "accepted"),
    (1, 9, "dispatched"),
    (0, 8, "dispatched"),
    (0, 11, "received"),
]
SECOND_PLAN = [(120, 4, "closed"), (45, 1, "closed"), (3, 7, "accepted")]
# Why a department asked for more time (复杂案件), by category.
EXTENSION_REASONS = {
    Category.EFFICIENCY: "涉及不动产登记历史遗留问题，需国土、住建、税务三部门联合核查，申请延期答复。",
    Category.POLICY: "扶持资金兑现需财政、经信部门联合审核企业投资凭证，申请延期答复。",
}
# The demo district answers policy complaints (政策兑现) within 10 working days.
DEMO_LIMITS = [(Category.POLICY, 1, 10)]

# Findings of the answered ones, in turn (some not substantiated, most partly or fully).
OUTCOMES = [
    Outcome.SUBSTANTIATED,
    Outcome.UNFOUNDED,
    Outcome.PARTLY,
    Outcome.SUBSTANTIATED,
    Outcome.UNFOUNDED,
]
CHANNELS = [Channel.PHONE, Channel.HOTLINE, Channel.VISIT, Channel.LETTER, Channel.PHONE]


class ComplaintsBuilder:
    """Adds the complaints to the worlds a DemoBuilder built."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.ctype = ContentType.objects.get_for_model(Complaint)
        self.events: list[DomainEvent] = []
        self.now = timezone.now()
        self.outcomes = 0

    def build(self) -> None:
        world = self.builder.worlds[0]
        with _stamped(ComplaintLimit):
            bulk_create_with_history(
                [
                    ComplaintLimit(
                        district=world.district,
                        category=category,
                        accept_workdays=accept,
                        answer_workdays=answer,
                    )
                    for category, accept, answer in DEMO_LIMITS
                ],
                ComplaintLimit,
            )
        self.limits = {
            (world.district.pk, category): (accept, answer)
            for category, accept, answer in DEMO_LIMITS
        }
        for world, plan in zip(self.builder.worlds, (DEMO_PLAN, SECOND_PLAN), strict=False):
            self._district(world, plan)
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)
        self._notices(self.builder.worlds[0])

    # -- helpers ----------------------------------------------------------------------------

    def _workday(self, day: datetime.date) -> datetime.date:
        return day if self.cal.work[day] else self.cal.before(day, 1)

    def _at(self, day: datetime.date, earliest: int = 9, latest: int = 17) -> datetime.datetime:
        moment = datetime.datetime.combine(
            day,
            datetime.time(self.rng.randint(earliest, latest), self.rng.randint(0, 59)),
            tzinfo=SHANGHAI,
        )
        if moment < self.now:
            return moment
        return self.now - datetime.timedelta(minutes=self.rng.randint(5, 60))

    def _event(self, obj, actor, verb, day, summary="") -> None:
        self.events.append(
            DomainEvent(
                district_id=obj.district_id,
                occurred_at=self._at(day),
                actor=actor,
                verb=verb,
                content_type=self.ctype,
                object_id=obj.pk,
                summary=summary[:300],
                data={},
            )
        )

    def _department(self, world, key: str):
        departments = world.departments
        if key in departments:
            return departments[key]
        # The small district has fewer departments: the nearest one it has.
        for fallback in ("works", "land", "aic", "center"):
            if fallback in departments:
                return departments[fallback]
        return next(iter(departments.values()))

    def _handler(self, world, department):
        from zhaoshang.org.models import User

        busy = world.role_users.get(Role.DEPARTMENT)
        if busy is not None and busy.department_id == department.pk:
            return busy
        key = next((k for k, d in world.departments.items() if d.pk == department.pk), None)
        if key in world.heads:
            return world.heads[key]
        return User.objects.filter(department=department, is_active=True).order_by("pk").first()

    def _projects(self, world) -> list:
        projects = [p.project for p in world.plans if p.project.signed_on is not None]
        return sorted(projects, key=lambda p: p.code)

    # -- the complaints ---------------------------------------------------------------------

    def _district(self, world, plan) -> None:
        rng = self.rng
        receiver = world.role_users.get(Role.SUPERVISOR) or world.role_users[Role.BUREAU]
        projects = self._projects(world)
        portal = world.role_users.get(Role.ENTERPRISE)
        own = [
            p for p in projects if portal is not None and p.enterprise_id == portal.enterprise_id
        ]
        rows: list[tuple[Complaint, list]] = []
        unapproved = iter(UNAPPROVED_STORIES)
        for n, (days_ago, story_no, how, *flags) in enumerate(plan):
            category, dept_key, text, yes, no = STORIES[story_no]
            if "unapproved" in flags:
                category, dept_key, text, yes, no = next(unapproved)
            received = self._workday(self.today - datetime.timedelta(days=days_ago))
            # The demo enterprise account's enterprise complained twice.
            project = own[n % len(own)] if own and n in (5, 17) else rng.choice(projects)
            department = self._department(world, dept_key)
            complaint = Complaint(
                district=world.district,
                enterprise=project.enterprise,
                project=project if rng.random() < 0.8 else None,
                channel=CHANNELS[n % len(CHANNELS)],
                category=category,
                department=department,
                text=text,
                contact_name=project.enterprise.contact_name or rng.choice(CONTACTS),
                contact_phone=project.enterprise.contact_phone
                or f"139{rng.randint(10**7, 10**8 - 1)}",
                contact_consent=rng.random() < 0.5,
                received_on=received,
                received_by=receiver,
                reports_unapproved_visit="unapproved" in flags,
                created_at=self._at(received),
            )
            if "unapproved" in flags:
                complaint.channel = Channel.PORTAL if n % 2 else Channel.PHONE
                complaint.project = None
            steps = self._steps(world, complaint, how, yes, no, flags)
            complaint.updated_at = max(complaint.created_at, self._at(steps[-1][2]))
            rows.append((complaint, steps))
        rows.sort(key=lambda r: (r[0].received_on, r[0].created_at))
        for complaint, _steps in rows:
            year = complaint.received_on.year
            complaint.number = (
                f"TS-{year}-{Counter.next_value(world.district, f'complaint-{year}'):04d}"
            )
        with _stamped(Complaint):
            bulk_create_with_history([c for c, _s in rows], Complaint, batch_size=200)
        saved = {
            c.number: c
            for c in Complaint.objects.filter(district=world.district).select_related("department")
        }
        ledger = {}
        extensions = []
        for planned, _steps in rows:
            details = getattr(planned, "_extension", None)
            if details:
                extensions.append(ComplaintExtension(complaint=saved[planned.number], **details))
        bulk_create_with_history(extensions, ComplaintExtension, batch_size=100)
        for complaint, steps in rows:
            complaint = saved[complaint.number]
            for actor, verb, day, summary in steps:
                self._event(complaint, actor, verb, day, summary)
            if complaint.outcome in SUBSTANTIATED_OUTCOMES:
                entry = write_rule_entry(
                    RuleCode.UNAPPROVED_INSPECTION
                    if complaint.reports_unapproved_visit
                    else RuleCode.SUBSTANTIATED_COMPLAINT,
                    complaint.department,
                    complaint,
                    f"投诉{complaint.number}经查属实",
                    complaint.answered_on,
                )
                if entry is not None:
                    ledger[entry.pk] = self._at(complaint.answered_on)
        self.builder._backdate(LedgerEntry, ledger, "created_at")

    def _steps(self, world, c: Complaint, how: str, yes: str, no: str, flags=()) -> list:
        """Fill the complaint's dates and findings as the services would have, and return
        its record: (actor, verb, day, summary)."""
        supervisor = world.role_users.get(Role.SUPERVISOR) or c.received_by
        steps = [(c.received_by, "complaint.received", c.received_on, c.get_category_display())]
        if how == "received":
            return steps
        late = how.startswith("late-")
        how = how.removeprefix("late-")
        dispatched = c.received_on if self.rng.random() < 0.6 else self.cal.after(c.received_on, 1)
        dispatched = min(dispatched, self.today)
        c.dispatched_on = dispatched
        c.accept_workdays, c.answer_workdays = self.limits.get(
            (c.district_id, c.category), (ACCEPT_WORKDAYS, ANSWER_WORKDAYS)
        )
        c.answer_from = dispatched
        c.accept_by = self.cal.after(dispatched, c.accept_workdays)
        c.answer_by = self.cal.after(dispatched, c.answer_workdays)
        c.due_on = c.accept_by
        c.status = ComplaintStatus.DISPATCHED
        c.version += 1
        steps.append((supervisor, "complaint.dispatched", dispatched, c.department.name))
        handler = self._handler(world, c.department)
        if how == "dispatched":
            if late:  # still not accepted: the acceptance limit has passed
                pass
            return steps
        accepted = dispatched if late or self.rng.random() < 0.5 else c.accept_by
        accepted = min(accepted, self.today)
        c.accepted_on, c.status, c.due_on = accepted, ComplaintStatus.ACCEPTED, c.answer_by
        c.version += 1
        steps.append((handler, "complaint.accepted", accepted, ""))
        if "extended" in flags or "extension-asked" in flags:
            asked = min(self.cal.after(accepted, 1), self.today)
            c._extension = {
                "reason": EXTENSION_REASONS[c.category],
                "requested_by": handler,
                "requested_on": asked,
                "previous_answer_by": c.answer_by,
            }
            steps.append((handler, "complaint.extension_requested", asked, ""))
            if "extended" in flags:
                decided = min(self.cal.after(asked, 1), self.today)
                c.answer_workdays = EXTENSION_MAX_WORKDAYS
                c.answer_by = self.cal.after(c.answer_from, EXTENSION_MAX_WORKDAYS)
                c.due_on = c.answer_by
                c._extension.update(
                    approved=True,
                    workdays=EXTENSION_MAX_WORKDAYS,
                    new_answer_by=c.answer_by,
                    decided_by=supervisor,
                    decided_on=decided,
                    decision_reason="涉及多部门联合核查，情况复杂，同意延期。",
                )
                steps.append((supervisor, "complaint.extension_approved", decided, ""))
        if how == "accepted":
            return steps
        answered = self.cal.after(accepted, self.rng.randint(1, 4))
        answered = min(answered, c.answer_by, self.today)
        if "unapproved" in flags:  # the department came without an approval code
            outcome = Outcome.SUBSTANTIATED
        else:
            outcome = OUTCOMES[self.outcomes % len(OUTCOMES)]
            self.outcomes += 1
        c.outcome, c.answered_on, c.due_on = outcome, answered, None
        c.answer = no if outcome == Outcome.UNFOUNDED else yes
        c.status = ComplaintStatus.ANSWERED
        c.version += 1
        steps.append((handler, "complaint.answered", answered, c.get_outcome_display()))
        if how == "rating":
            return steps
        rated = min(self.cal.after(answered, self.rng.randint(1, 3)), self.today)
        if how == "reopened":
            c.rating, c.rated_on, c.reopened = Rating.DISSATISFIED, rated, True
            c.status = ComplaintStatus.ACCEPTED
            c.answer_from = rated
            c.answer_by = self.cal.after(rated, c.answer_workdays)
            steps.append((c.received_by, "complaint.reopened", rated, c.get_rating_display()))
            again = min(self.cal.after(rated, self.rng.randint(2, 4)), self.today)
            c.answer = f"{c.answer}\n{self.rng.choice(REOPEN_ANSWERS)}"
            c.answered_on, c.status = again, ComplaintStatus.ANSWERED
            steps.append((handler, "complaint.answered", again, c.get_outcome_display()))
            rated = min(self.cal.after(again, 2), self.today)
            c.version += 2
        c.rating = Rating.FAIRLY if c.reopened or self.rng.random() < 0.3 else Rating.SATISFIED
        c.rated_on, c.status = rated, ComplaintStatus.CLOSED
        c.version += 1
        steps.append((c.received_by, "complaint.closed", rated, c.get_rating_display()))
        return steps

    def _notices(self, world) -> None:
        """The supervision office was told of the complaint waiting for dispatch, the demo
        department account of those dispatched to its department."""
        supervisor = world.role_users.get(Role.SUPERVISOR)
        busy = world.role_users.get(Role.DEPARTMENT)
        complaints = Complaint.objects.filter(district=world.district)
        if supervisor is not None:
            for c in complaints.filter(status=ComplaintStatus.RECEIVED):
                notify(
                    [supervisor],
                    "complaint.received",
                    f"收到投诉{c.number}",
                    url=c.get_absolute_url(),
                )
        if busy is not None:
            for c in complaints.filter(
                Q(status__in=(ComplaintStatus.DISPATCHED, ComplaintStatus.ACCEPTED)),
                department_id=busy.department_id,
            ):
                notify(
                    [busy],
                    "complaint.dispatched",
                    f"投诉{c.number}已交办本部门",
                    url=c.get_absolute_url(),
                )


def complaint_counts(district_ids) -> dict[str, int]:
    return {"complaints": Complaint.objects.filter(district_id__in=district_ids).count()}
