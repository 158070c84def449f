"""Inspection and fee requests of the demo city (SPEC §9, 涉企检查/收费申报审批).

Over the last ten months the departments filed their inspections, ratings and fees before
going to an enterprise: most were approved by the supervision office (督查室), carried out
outside the quiet days (企业宁静日, the 1st to the 20th) and rated by the enterprise; one
visit on a quiet day carries its special reason; two were rejected (one because it would
have gone over the yearly cap, one on a quiet day without a reason), one was cancelled;
two emergency inspections were filed the working day after; one enterprise had three
departments merged into one joint inspection (进一次门、查多项事). Today a few requests wait
for the supervision office and a few approved visits are coming up, their codes ready to be
checked on the public verification page. The two complaints of the complaints demo that
report a visit or fee without a code get their report rows here.

Rows are built directly, dated in the past as the services would have dated them; codes
from ``inspections.services.new_code``; numbers from the district's counters.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.complaints.models import Complaint
from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar, _stamped
from zhaoshang.inspections.choices import Kind, Rating, RequestStatus
from zhaoshang.inspections.models import (
    InspectionRequest,
    InspectionSettings,
    InspectionVisit,
    JointInspection,
    UnapprovedVisitReport,
)
from zhaoshang.inspections.services import new_code
from zhaoshang.notifications.services import notify

SEED = 2026_12
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# What each department comes for: (department key, kind, purpose, legal basis, people).
ERRANDS = {
    "safety": (
        Kind.INSPECTION,
        "安全生产标准化达标情况检查",
        "《中华人民共和国安全生产法》第六十五条",
        "应急管理局执法人员 刘强（执法证号 51010023001）、王丽（51010023017）",
    ),
    "fire": (
        Kind.INSPECTION,
        "消防安全重点单位年度检查",
        "《中华人民共和国消防法》第五十三条；《消防监督检查规定》",
        "消防救援大队监督员 陈刚（监督证号 X510231）、周敏（X510244）",
    ),
    "eco": (
        Kind.INSPECTION,
        "排污许可证执行情况检查",
        "《排污许可管理条例》第二十八条",
        "生态环境执法人员 杨帆（执法证号 EN510088）、吴静（EN510093）",
    ),
    "aic": (
        Kind.INSPECTION,
        "“双随机、一公开”产品质量抽查",
        "《中华人民共和国产品质量法》第十五条",
        "市场监管执法人员 赵磊（执法证号 SJ510356）、孙悦（SJ510371）",
    ),
    "econ": (
        Kind.RATING,
        "区级“专精特新”企业评定现场核查",
        "《优质中小企业梯度培育管理暂行办法》；区经信局评定实施细则",
        "经信局 郑涛、评审专家 林海",
    ),
    "works": (
        Kind.FEE,
        "收取城市基础设施配套费",
        "《城市基础设施配套费征收管理办法》",
        "",
    ),
    "tapwater": (
        Kind.FEE,
        "收取供水管网接驳工程费",
        "区发改局供水工程收费标准批复",
        "",
    ),
}
FEE_BASIS = {
    "works": "省财政厅、省发改委《城市基础设施配套费征收标准的通知》",
    "tapwater": "区发改局关于供水管网接驳工程收费标准的批复",
}
# The demo district's requests: (days ago the visit was planned, department key, plan).
# Plans: done (approved, carried out, rated), done-quiet (on a quiet day, with a reason),
# approved (carried out, not rated yet), upcoming (approved, visit ahead), filed (waiting
# for the supervision office), rejected-cap, rejected-quiet, cancelled, emergency.
DEMO_PLAN = [
    (290, "safety", "done"),
    (262, "fire", "done"),
    (236, "eco", "done"),
    (208, "aic", "done"),
    (180, "econ", "done"),
    (175, "works", "done"),
    (152, "safety", "done-quiet"),
    (124, "fire", "emergency"),
    (118, "eco", "done"),
    (96, "tapwater", "done"),
    (90, "aic", "cancelled"),
    (66, "safety", "done"),
    (60, "econ", "rejected-quiet"),
    (41, "fire", "done"),
    (35, "eco", "approved"),
    (22, "safety", "rejected-cap"),
    (14, "aic", "approved"),
    (3, "safety", "emergency"),
    (-6, "fire", "upcoming"),
    (-8, "eco", "upcoming"),
    (-9, "aic", "filed"),
    (-12, "econ", "filed"),
    (-14, "works", "filed"),
]
SECOND_PLAN = [(100, "eco", "done"), (30, "aic", "done"), (-7, "works", "filed")]
# The joint inspection: these departments' visits to one enterprise merged (days ahead).
JOINT = (("safety", "fire", "eco"), 9)
REJECTIONS = {
    "rejected-cap": "该企业本年度已接受本部门两次检查，达到年度检查上限，请纳入联合检查统筹安排。",
    "rejected-quiet": "计划日期在企业宁静日内且未说明特殊理由，请调整至每月21日以后。",
}
QUIET_REASON = "省安委会统一部署的安全生产大检查，检查时间由省里确定，无法调整。"
EMERGENCY_REASONS = [
    "接群众举报企业仓库存在重大火灾隐患，需立即到场核查。",
    "企业发生一起轻微伤害事故，需立即开展事故现场检查。",
]
FINDINGS = [
    "检查未发现重大问题，现场提出两条整改建议，企业已签收。",
    "发现一般隐患三处，已下达责令整改通知书，限期十五日整改。",
    "各项指标符合要求，检查结果已反馈企业。",
    "资料齐全，现场核查通过。",
]
COMMENTS = ["检查人员出示了验证码，程序规范。", "检查时间较长，但态度良好。", ""]


class InspectionsBuilder:
    """Adds the inspection and fee requests to the worlds a DemoBuilder built (after the
    complaints, whose reports of unapproved visits it links)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.ctype = ContentType.objects.get_for_model(InspectionRequest)
        self.events: list[DomainEvent] = []
        self.now = timezone.now()

    def build(self) -> None:
        for world, plan in zip(self.builder.worlds, (DEMO_PLAN, SECOND_PLAN), strict=False):
            InspectionSettings.objects.create(district=world.district)
            self._district(world, plan)
        self._joint(self.builder.worlds[0])
        self._reports(self.builder.worlds[0])
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)
        self._notices(self.builder.worlds[0])

    # -- helpers ----------------------------------------------------------------------------

    def _at(self, day: datetime.date, earliest: int = 9, latest: int = 17) -> datetime.datetime:
        moment = datetime.datetime.combine(
            day,
            datetime.time(self.rng.randint(earliest, latest), self.rng.randint(0, 59)),
            tzinfo=SHANGHAI,
        )
        if moment < self.now:
            return moment
        return self.now - datetime.timedelta(minutes=self.rng.randint(5, 60))

    def _event(self, obj, actor, verb, day, summary="", hours=(9, 17)) -> None:
        self.events.append(
            DomainEvent(
                district_id=obj.district_id,
                occurred_at=self._at(day, *hours),
                actor=actor,
                verb=verb,
                content_type=self.ctype,
                object_id=obj.pk,
                summary=summary[:300],
                data={},
            )
        )

    def _workday(self, day: datetime.date) -> datetime.date:
        return day if self.cal.work[day] else self.cal.before(day, 1)

    def _quiet_free(self, day: datetime.date) -> datetime.date:
        """The first working day on or after ``day`` outside the quiet days (21st on)."""
        while True:
            if day.day <= 20:
                day = day.replace(day=21)
            found = self.cal.on_or_after(day)
            if found.day > 20:
                return found
            day = found  # the holidays ran into next month's quiet days: its 21st

    def _filer(self, world, department):
        from zhaoshang.org.models import User

        key = next((k for k, d in world.departments.items() if d.pk == department.pk), None)
        if key in world.heads:
            return world.heads[key]
        return User.objects.filter(department=department, is_active=True).order_by("pk").first()

    def _enterprises(self, world) -> list:
        seen, out = set(), []
        for plan in world.plans:
            p = plan.project
            if p.signed_on is not None and p.enterprise_id not in seen:
                seen.add(p.enterprise_id)
                out.append(p.enterprise)
        return sorted(out, key=lambda e: e.pk)

    # -- the requests -----------------------------------------------------------------------

    def _district(self, world, plan) -> None:
        rng = self.rng
        supervisor = world.role_users.get(Role.SUPERVISOR) or world.role_users[Role.BUREAU]
        enterprises = self._enterprises(world)
        portal = world.role_users.get(Role.ENTERPRISE)
        rows = []
        for n, (days, key, how) in enumerate(plan):
            if key not in world.departments:
                key = "aic" if "aic" in world.departments else next(iter(world.departments))
            department = world.departments[key]
            kind, purpose, basis, people = ERRANDS.get(key, ERRANDS["aic"])
            day = self.today - datetime.timedelta(days=days)
            emergency = how == "emergency"
            if emergency:
                planned = self._workday(day)
            elif how in ("done-quiet", "rejected-quiet"):
                planned = self.cal.on_or_after(day.replace(day=min(day.day, 15)))
                if planned.day > 20:
                    planned = self.cal.on_or_after(planned.replace(day=10))
            else:
                planned = self._quiet_free(day)
            # The demo enterprise account's enterprise is visited too.
            # The first enterprise has had its two safety inspections of the year (the cap):
            # a third is refused; nobody else goes there.
            targets = rng.sample(
                enterprises[1:], 2 if kind == Kind.INSPECTION and n % 4 == 0 else 1
            )
            if (
                key == "safety"
                and how in ("done-quiet", "rejected-cap")
                or (key, days)
                == (
                    "safety",
                    66,
                )
            ):
                targets = [enterprises[0]]
            elif portal is not None and n in (3, 14, 18):
                own = next((e for e in enterprises if e.pk == portal.enterprise_id), None)
                if own is not None:
                    targets = [own]
            if emergency:
                filed = min(self.cal.after(planned, 1), self.today)
            else:
                filed = self._workday(planned - datetime.timedelta(days=rng.randint(8, 15)))
                filed = min(filed, self.today)
            filer = self._filer(world, department)
            request = InspectionRequest(
                district=world.district,
                kind=Kind.INSPECTION if emergency else kind,
                department=department,
                purpose=purpose if not emergency else f"应急检查：{purpose}",
                legal_basis=basis,
                planned_on=planned,
                people=people or "",
                is_emergency=emergency,
                emergency_reason=EMERGENCY_REASONS[n % 2] if emergency else "",
                quiet_day_reason=QUIET_REASON if how == "done-quiet" else "",
                fee_amount=Decimal(rng.choice((86000, 124500, 238000)))
                if kind == Kind.FEE
                else None,
                fee_basis=FEE_BASIS.get(key, "") if kind == Kind.FEE else "",
                filed_on=filed,
                filed_by=filer,
                created_at=self._at(filed),
                updated_at=self._at(filed),
            )
            steps = [(filer, "inspection.filed", filed, request.get_kind_display())]
            visits = []
            decided = min(self.cal.after(filed, rng.randint(1, 2)), self.today)
            if how == "filed":
                pass
            elif how.startswith("rejected"):
                request.status = RequestStatus.REJECTED
                request.decided_on, request.decided_by = decided, supervisor
                request.decision_reason = REJECTIONS[how]
                steps.append((supervisor, "inspection.rejected", decided, request.decision_reason))
            elif how == "cancelled":
                request.decided_on, request.decided_by = decided, supervisor
                steps.append((supervisor, "inspection.approved", decided, ""))
                cancelled = min(self.cal.after(decided, 2), self.today)
                request.status = RequestStatus.CANCELLED
                steps.append(
                    (filer, "inspection.cancelled", cancelled, "企业已停产检修，检查改期。")
                )
            else:
                request.status = RequestStatus.APPROVED
                request.decided_on, request.decided_by = decided, supervisor
                steps.append((supervisor, "inspection.approved", decided, ""))
            request.version = len(steps)
            for enterprise in targets:
                visit = InspectionVisit(
                    district=world.district, enterprise=enterprise, visit_on=planned
                )
                if request.status in (RequestStatus.APPROVED, RequestStatus.CANCELLED):
                    visit.code = new_code()
                carried_out = (
                    request.status == RequestStatus.APPROVED
                    and planned <= self.today
                    and how != "upcoming"
                    and request.is_visit
                )
                if carried_out:
                    visit.carried_out_on = planned
                    visit.findings = rng.choice(FINDINGS)
                    steps.append((filer, "inspection.carried_out", planned, enterprise.name))
                    if how in ("done", "done-quiet", "emergency") and planned < self.today:
                        rated = min(self.cal.after(planned, rng.randint(1, 3)), self.today)
                        visit.rating = rng.choices(
                            (Rating.SATISFIED, Rating.FAIRLY, Rating.DISSATISFIED), (6, 3, 1)
                        )[0]
                        visit.rating_comment = rng.choice(COMMENTS)
                        visit.rated_on = rated
                        steps.append(
                            (supervisor, "inspection.rated", rated, visit.get_rating_display())
                        )
                visits.append(visit)
            request.updated_at = self._at(steps[-1][2])
            rows.append((request, visits, steps))
        rows.sort(key=lambda r: (r[0].filed_on, r[0].created_at))
        for request, _visits, _steps in rows:
            year = request.filed_on.year
            request.number = (
                f"JC-{year}-{Counter.next_value(world.district, f'inspection-{year}'):04d}"
            )
        with _stamped(InspectionRequest):
            bulk_create_with_history([r for r, _v, _s in rows], InspectionRequest, batch_size=200)
        saved = {r.number: r for r in InspectionRequest.objects.filter(district=world.district)}
        visits = []
        for request, planned_visits, steps in rows:
            stored = saved[request.number]
            for visit in planned_visits:
                visit.request = stored
                visits.append(visit)
            for actor, verb, day, summary in steps:
                self._event(stored, actor, verb, day, summary)
        bulk_create_with_history(visits, InspectionVisit, batch_size=500)

    def _joint(self, world) -> None:
        """Three departments' approved visits to one enterprise, merged into one joint
        inspection led by the emergency management bureau."""
        keys, days_ahead = JOINT
        if not all(k in world.departments for k in keys):
            return
        supervisor = world.role_users.get(Role.SUPERVISOR)
        enterprise = self._enterprises(world)[-1]
        visit_on = self._quiet_free(self.today + datetime.timedelta(days=days_ahead))
        merged_on = self._workday(self.today - datetime.timedelta(days=1))
        with _stamped(JointInspection):
            joint = JointInspection.objects.create(
                district=world.district,
                enterprise=enterprise,
                visit_on=visit_on,
                lead_department=world.departments[keys[0]],
                created_by=supervisor,
                created_at=self._at(merged_on),
            )
        for key in keys:
            department = world.departments[key]
            kind, purpose, basis, people = ERRANDS[key]
            filed = self._workday(self.today - datetime.timedelta(days=self.rng.randint(6, 9)))
            year = filed.year
            filer = self._filer(world, department)
            with _stamped(InspectionRequest):
                request = InspectionRequest.objects.create(
                    district=world.district,
                    number=f"JC-{year}-{Counter.next_value(world.district, f'inspection-{year}'):04d}",
                    kind=kind,
                    department=department,
                    purpose=purpose,
                    legal_basis=basis,
                    planned_on=visit_on,
                    people=people,
                    status=RequestStatus.APPROVED,
                    filed_on=filed,
                    filed_by=filer,
                    decided_on=merged_on,
                    decided_by=supervisor,
                    version=3,
                    created_at=self._at(filed),
                    updated_at=self._at(merged_on),
                )
            InspectionVisit.objects.create(
                district=world.district,
                request=request,
                enterprise=enterprise,
                visit_on=visit_on,
                joint=joint,
                code=new_code(),
            )
            self._event(request, filer, "inspection.filed", filed, request.get_kind_display())
            self._event(request, supervisor, "inspection.approved", merged_on, hours=(9, 11))
            self._event(
                request, supervisor, "inspection.merged", merged_on, enterprise.name, (14, 17)
            )

    def _reports(self, world) -> None:
        """The complaints that report a visit or fee without a code get their report."""
        for complaint in Complaint.objects.filter(
            district=world.district, reports_unapproved_visit=True
        ).select_related("received_by"):
            kind = Kind.FEE if complaint.category == "fees" else Kind.INSPECTION
            visited = self._workday(complaint.received_on - datetime.timedelta(days=2))
            with _stamped(UnapprovedVisitReport):
                UnapprovedVisitReport.objects.create(
                    district=world.district,
                    enterprise=complaint.enterprise,
                    department=complaint.department,
                    kind=kind,
                    visited_on=visited,
                    what_happened=complaint.text,
                    complaint=complaint,
                    reported_by=complaint.received_by,
                    created_at=complaint.created_at,
                )

    def _notices(self, world) -> None:
        supervisor = world.role_users.get(Role.SUPERVISOR)
        if supervisor is None:
            return
        for request in InspectionRequest.objects.filter(
            district=world.district, status=RequestStatus.FILED
        ):
            notify(
                [supervisor],
                "inspection.filed",
                f"涉企检查申报{request.number}待审批",
                url=request.get_absolute_url(),
            )


def inspection_counts(district_ids) -> dict[str, int]:
    return {
        "inspection requests": InspectionRequest.objects.filter(
            district_id__in=district_ids
        ).count(),
        "inspection visits": InspectionVisit.objects.filter(district_id__in=district_ids).count(),
    }
