"""Meetings and supervised action items of the demo city (SPEC §10, 联席会议制与督办).

Over the last year the district held meetings of all five kinds — leading group, joint,
coordination, on-site office and special-topic meetings — with projects, problems of the
problem list and approval cases on their agendas, minutes, and decisions whose action items
(督办事项) the owner departments carried: most are closed by the supervision office, some
wait for its confirmation, some were sent back (退回重办), some run now and several are
overdue, escalated and in the assessment ledger. The joint decision of the approvals demo
(互为前置, 同时审批) is the decision of a joint meeting; a joint meeting is on today's
calendar with the problems escalated to it on its agenda.

Rows are built directly, dated in the past as the services would have dated them (the
services stamp today's date); due dates come from the working-day calendar; numbers from
the district's counters; the ledger from ``meetings.services.record_overdue`` — so that the
daily scan (``scan_overdue``) finds nothing left to write. Today's meeting is scheduled
through ``meetings.services.schedule_meeting`` itself.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.approvals.models import ApprovalCase, JointDecision
from zhaoshang.core.models import Counter, DomainEvent
from zhaoshang.core.roles import Role
from zhaoshang.demo.approvals import Calendar, _stamped
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.meetings import services
from zhaoshang.meetings.choices import (
    ActionSource,
    ActionStatus,
    MeetingKind,
    MeetingStatus,
    ProgressKind,
)
from zhaoshang.meetings.models import ActionItem, ActionProgress, AgendaItem, Decision, Meeting
from zhaoshang.notifications.models import Notification
from zhaoshang.notifications.services import notify
from zhaoshang.projects.choices import EXIT_STAGES
from zhaoshang.service.choices import NeedStatus
from zhaoshang.service.models import Need

SEED = 2026_10
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)
# Meetings whose minutes are older than this are issued; younger ones are held, not yet.
MINUTES_AFTER_DAYS = 14

# The meetings of the last year: (days ago, kind, chair, title, place).
DEMO_MEETINGS = [
    (
        345,
        MeetingKind.LEADING_GROUP,
        "head",
        "招商引资工作领导小组{year}年第{n}次会议",
        "区政府第一会议室",
    ),
    (
        318,
        MeetingKind.JOINT,
        "executive",
        "重点项目服务联席会议（{month}月）",
        "区政务服务中心三楼会议室",
    ),
    (284, MeetingKind.ON_SITE, "construction", "{project}现场办公会", "{project}施工现场"),
    (252, MeetingKind.COORDINATION, "industry", "装备制造项目要素保障协调会", "区经信局会议室"),
    (
        223,
        MeetingKind.LEADING_GROUP,
        "head",
        "招商引资工作领导小组{year}年第{n}次会议",
        "区政府第一会议室",
    ),
    (
        196,
        MeetingKind.JOINT,
        "executive",
        "重点项目服务联席会议（{month}月）",
        "区政务服务中心三楼会议室",
    ),
    (168, MeetingKind.SPECIAL, "finance", "项目与资金嫁接专题会", "区财政局会议室"),
    (139, MeetingKind.ON_SITE, "construction", "{project}现场办公会", "{project}施工现场"),
    (
        112,
        MeetingKind.LEADING_GROUP,
        "head",
        "招商引资工作领导小组{year}年第{n}次会议",
        "区政府第一会议室",
    ),
    (
        84,
        MeetingKind.JOINT,
        "executive",
        "重点项目服务联席会议（{month}月）",
        "区政务服务中心三楼会议室",
    ),
    (
        63,
        MeetingKind.COORDINATION,
        "industry",
        "新建项目用电用气保障协调会",
        "国网东城区供电公司会议室",
    ),
    (42, MeetingKind.SPECIAL, "construction", "“三个月不开工”项目清理专题会", "区政府第三会议室"),
    (
        28,
        MeetingKind.JOINT,
        "executive",
        "重点项目服务联席会议（{month}月）",
        "区政务服务中心三楼会议室",
    ),
    (
        16,
        MeetingKind.LEADING_GROUP,
        "head",
        "招商引资工作领导小组{year}年第{n}次会议",
        "区政府第一会议室",
    ),
    (9, MeetingKind.ON_SITE, "industry", "{project}现场办公会", "{project}项目现场"),
    (
        4,
        MeetingKind.COORDINATION,
        "construction",
        "在建项目施工许可并联审批协调会",
        "区建设局会议室",
    ),
]
SECOND_MEETINGS = [
    (120, MeetingKind.JOINT, "head", "重点项目服务联席会议（{month}月）", "区政府会议室"),
    (47, MeetingKind.COORDINATION, "head", "园区项目要素保障协调会", "西城园区管委会会议室"),
    (11, MeetingKind.ON_SITE, "head", "{project}现场办公会", "{project}施工现场"),
]
TODAY_MEETING = (
    MeetingKind.JOINT,
    "executive",
    "重点项目服务联席会议（{month}月）",
    "区政务服务中心三楼会议室",
)

# What a project's point on the agenda is decided on: (owner department key, what to do).
TOPICS = [
    ("power", "协调{project}施工临时用电接入，明确接电时间节点"),
    ("land", "完成{project}用地红线复核及界桩移交"),
    ("works", "加快{project}施工许可审批，实行容缺受理、并联审查"),
    ("works", "督促{project}施工图审查整改意见闭环"),
    ("works", "组织{project}质量安全监督备案及开工条件核查"),
    ("planning", "组织{project}建设工程规划方案技术审查"),
    ("eco", "指导{project}环境影响评价报告编制并加快审批"),
    ("tapwater", "完成{project}供水管网接驳"),
    ("gas", "制定{project}天然气管道接入方案"),
    ("transport", "完成{project}进场道路硬化"),
    ("hr", "组织{project}专场招聘会，协助解决一线用工需求"),
    ("finance", "按投资合同约定兑现{project}产业扶持资金"),
    ("tax", "落实{project}研发费用加计扣除等税收优惠政策"),
    ("ndrc", "指导{project}完成节能审查并报送项目信息"),
    ("fire", "完成{project}消防设计审查"),
    ("econ", "协助{project}申报技术改造专项资金"),
    ("bureau", "跟踪{project}开工准备，每周报送推进情况"),
]
# Decisions of a leading group meeting on the work as a whole.
LEADING_GROUP_DECISIONS = [
    ("bureau", "做好签约项目按月汇总、按季通报，{month}月底前报送季度推进情况"),
    ("perf", "对重点项目建设进度和部门服务情况开展专项督查，形成督查通报"),
    ("land", "牵头开展园区土地清理，对圈而不建的地块提出处置意见"),
    ("works", "梳理在建项目审批事项清单，对超期事项逐项销号"),
]
SPECIAL_TOPICS = {
    MeetingKind.SPECIAL: "项目融资需求与金融机构对接",
    MeetingKind.LEADING_GROUP: "签约项目推进情况通报",
}
PROGRESS_NOTES = [
    "已与企业对接，明确了办理时间表",
    "已召集相关股室研究，形成初步方案",
    "已完成现场踏勘，正在准备报批材料",
    "已报分管领导审定，近期推进实施",
    "已对接上级主管部门，正在跟踪办理",
]
COMPLETIONS = [
    "已按会议要求办结，相关文件已送达企业",
    "已完成并经企业确认，附办结报告",
    "已办理完毕，现场核查通过",
]
RETURN_REASONS = [
    "佐证材料不全，请补充企业签收回执",
    "办理结果与会议要求不一致，请按时限重新办理",
    "缺少现场照片等佐证材料，请补充后重新报送",
]
CLOSURE_NOTES = ["经核实，已按要求办结，予以销号", "材料齐全，同意销号"]
OVERDUE = "overdue"  # an open item past its due date


@dataclass
class ItemPlan:
    """An action item before it is saved, with its record to be."""

    meeting: object
    decision: object
    title: str
    department: object
    person: object
    project: object
    need: object
    due_on: datetime.date
    due_workdays: int | None
    status: str = ActionStatus.NOT_STARTED
    completed_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    returned_on: datetime.date | None = None
    escalated_on: datetime.date | None = None
    notes: list = field(default_factory=list)  # (kind, day, text, by, with a file)
    item: ActionItem | None = None


class MeetingsBuilder:
    """Adds the meetings, their decisions and the action items to the worlds a DemoBuilder
    built (after the approvals and the project service)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today
        self.rng = random.Random(SEED)
        self.cal = Calendar(
            datetime.date(self.today.year - 2, 1, 1), datetime.date(self.today.year + 2, 12, 31)
        )
        self.meeting_type = ContentType.objects.get_for_model(Meeting)
        self.item_type = ContentType.objects.get_for_model(ActionItem)
        self.events: list[DomainEvent] = []
        # Nothing is dated after the moment the demo is loaded.
        self.now = timezone.now()

    # -- entry point ----------------------------------------------------------------------

    def build(self) -> None:
        for world, schedule in zip(
            self.builder.worlds, (DEMO_MEETINGS, SECOND_MEETINGS), strict=False
        ):
            plans = self._district(world, schedule)
            self._save_items(world, plans)
        DomainEvent.objects.bulk_create(self.events, batch_size=1000)
        self._ledger()
        self._notices(self.builder.worlds[0])
        self._today(self.builder.worlds[0])

    # -- helpers --------------------------------------------------------------------------

    def _workday(self, day: datetime.date) -> datetime.date:
        """The working day on or before ``day``."""
        return day if self.cal.work[day] else self.cal.before(day, 1)

    def _at(self, day: datetime.date, earliest: int = 9, latest: int = 17) -> datetime.datetime:
        """A moment in office hours on ``day``, never after now."""
        return self._cap(self.builder._at(day, earliest, latest))

    def _on(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return self._cap(
            datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)
        )

    def _cap(self, moment: datetime.datetime) -> datetime.datetime:
        if moment < self.now:
            return moment
        return self.now - datetime.timedelta(minutes=self.rng.randint(5, 60))

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

    def _staff(self, world, department):
        """The person who acts for a department: its handler, its head, or else anyone of it."""
        handler = getattr(world, "handlers", {}).get(department.pk)
        if handler is not None:
            return handler
        key = next((k for k, d in world.departments.items() if d.pk == department.pk), None)
        if key in world.heads:
            return world.heads[key]
        from zhaoshang.org.models import User

        return User.objects.filter(department=department, is_active=True).order_by("pk").first()

    def _projects_at(self, world, day: datetime.date) -> list:
        """Projects signed at least a month before ``day`` and not gone by then."""
        out = []
        for plan in world.plans:
            project = plan.project
            if project.signed_on is None or project.signed_on > day - datetime.timedelta(days=30):
                continue
            if plan.stage in EXIT_STAGES:
                gone = project.exited_on or project.terminated_on
                if gone is None or gone <= day:
                    continue
            out.append(project)
        return sorted(out, key=lambda p: p.code)

    # -- meetings -------------------------------------------------------------------------

    def _district(self, world, schedule) -> list[ItemPlan]:
        rng = self.rng
        district = world.district
        organiser = world.role_users.get(Role.BUREAU) or world.heads["bureau"]
        supervisor = world.role_users.get(Role.SUPERVISOR)
        meetings: list[tuple[Meeting, dict]] = []
        per_year: dict[tuple[str, int], int] = {}
        for days_ago, kind, chair_key, title, place in schedule:
            held_on = self._workday(self.today - datetime.timedelta(days=days_ago))
            chair = world.leaders.get(chair_key) or world.role_users[Role.LEADER]
            projects = self._projects_at(world, held_on)
            if not projects:
                continue
            focus = rng.choice(projects)
            per_year[(kind, held_on.year)] = per_year.get((kind, held_on.year), 0) + 1
            meeting = Meeting(
                district=district,
                kind=kind,
                title=title.format(
                    year=held_on.year,
                    n=per_year[(kind, held_on.year)],
                    month=held_on.month,
                    project=focus.name,
                ),
                held_on=held_on,
                starts_at=datetime.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30])),
                place=place.format(project=focus.name),
                chair=chair,
                created_by=organiser,
            )
            on_agenda = [focus] + rng.sample(
                [p for p in projects if p != focus], min(len(projects) - 1, rng.randint(1, 3))
            )
            if kind == MeetingKind.ON_SITE:
                on_agenda = [focus]
            meetings.append((meeting, {"projects": on_agenda, "chair_key": chair_key}))
        joint = self._joint_meeting(world, organiser)
        if joint is not None:
            meetings.append(joint)
        meetings.sort(key=lambda m: (m[0].held_on, m[0].title))
        self._number_and_save(world, [m for m, _i in meetings], organiser, supervisor)
        plans: list[ItemPlan] = []
        for meeting, info in meetings:
            plans += self._agenda_and_decisions(world, meeting, info, organiser)
        return plans

    def _joint_meeting(self, world, organiser):
        """The approvals demo's joint decision (互为前置) was the decision of a joint meeting."""
        decision = (
            JointDecision.objects.filter(district=world.district, meeting_decision__isnull=True)
            .select_related("project")
            .order_by("decided_on", "pk")
            .first()
        )
        if decision is None:
            return None
        chair = world.leaders.get("construction") or world.role_users[Role.LEADER]
        meeting = Meeting(
            district=world.district,
            kind=MeetingKind.JOINT,
            title=f"{decision.project.name}审批事项联席会议",
            held_on=decision.decided_on,
            starts_at=datetime.time(15, 0),
            place="区政务服务中心三楼会议室",
            chair=chair,
            minutes_number=decision.document_number,
            created_by=organiser,
        )
        return meeting, {
            "projects": [decision.project],
            "joint": decision,
            "chair_key": "construction",
        }

    def _number_and_save(self, world, meetings: list[Meeting], organiser, supervisor) -> None:
        """Numbers in the order the meetings were held; status by age; attendance."""
        rng = self.rng
        district = world.district
        minutes_numbers: dict[int, int] = {}
        short = district.name.rstrip("区")[:2]
        for meeting in meetings:
            year = meeting.held_on.year
            meeting.number = f"HY-{year}-{Counter.next_value(district, f'meeting-{year}'):04d}"
            scheduled = max(
                self.cal.before(meeting.held_on, rng.randint(2, 6)), meeting.held_on - 10 * ONE_DAY
            )
            age = (self.today - meeting.held_on).days
            meeting.created_at = self._at(scheduled)
            if age >= MINUTES_AFTER_DAYS:
                meeting.status = MeetingStatus.MINUTES_ISSUED
                minutes_numbers[year] = minutes_numbers.get(year, 0) + 1
                if not meeting.minutes_number:
                    meeting.minutes_number = f"{short}府纪〔{year}〕{minutes_numbers[year]}号"
                meeting.minutes_issued_on = min(
                    self.cal.after(meeting.held_on, rng.randint(2, 5)), self.today - ONE_DAY
                )
                last = self._at(meeting.minutes_issued_on, 10, 17)
            else:
                meeting.status = MeetingStatus.HELD
                last = self._on(meeting.held_on, 18)
            meeting.updated_at = last
            meeting.version = 2 if meeting.status == MeetingStatus.HELD else 3
            meeting._history_user = organiser
            meeting._history_date = last
        with _stamped(Meeting):
            bulk_create_with_history(meetings, Meeting, batch_size=200)
        through_departments = Meeting.departments.through
        through_people = Meeting.attendees.through
        department_rows, people_rows = [], []
        for meeting in meetings:
            keys = ["bureau", "center", "works", "land", "planning", "power", "eco", "perf"]
            chosen = ["bureau", "perf"] + rng.sample(keys[2:7], rng.randint(2, 4))
            departments = [world.departments[k] for k in chosen if k in world.departments]
            for department in departments:
                department_rows.append(
                    through_departments(meeting_id=meeting.pk, department_id=department.pk)
                )
            people = {world.heads[k].pk for k in chosen if k in world.heads}
            for user in (organiser, supervisor):
                if user is not None:
                    people.add(user.pk)
            for pk in sorted(people):
                people_rows.append(through_people(meeting_id=meeting.pk, user_id=pk))
            self._event(
                self.meeting_type,
                meeting,
                organiser,
                "meeting.scheduled",
                meeting.created_at,
                f"{meeting.number} {meeting.title}",
                kind=meeting.kind,
                held_on=meeting.held_on,
            )
            self._event(
                self.meeting_type,
                meeting,
                organiser,
                "meeting.held",
                self._on(meeting.held_on, 17, 30),
                meeting.title,
                held_on=meeting.held_on,
            )
        through_departments.objects.bulk_create(department_rows)
        through_people.objects.bulk_create(people_rows)

    def _agenda_and_decisions(self, world, meeting, info, organiser) -> list[ItemPlan]:
        """The agenda — the projects, a problem or an approval case of theirs, a topic — and
        a decision with its action items on most points."""
        rng = self.rng
        held_on = meeting.held_on
        agenda: list[AgendaItem] = []
        order = 1
        joint = info.get("joint")
        for project in info["projects"]:
            case = need = None
            if joint is not None:
                case = joint.cases.order_by("item__sort_order").first()
            elif rng.random() < 0.35:
                case = (
                    ApprovalCase.objects.filter(project=project, registered_on__lt=held_on)
                    .filter(Q(done_on__isnull=True) | Q(done_on__gt=held_on))
                    .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=held_on))
                    .order_by("item__sort_order")
                    .first()
                )
            if case is None and joint is None and rng.random() < 0.5:
                need = (
                    Need.objects.filter(project=project, raised_on__lt=held_on)
                    .exclude(status__in=(NeedStatus.PENDING, NeedStatus.ESCALATED))
                    .exclude(agenda_items__isnull=False)
                    .order_by("raised_on", "pk")
                    .first()
                )
            agenda.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    project=project,
                    need=need,
                    case=case,
                    note=need.description[:200] if need is not None else "",
                    added_by=organiser,
                )
            )
            order += 1
        topic = SPECIAL_TOPICS.get(meeting.kind)
        if topic:
            agenda.append(AgendaItem(meeting=meeting, order=order, topic=topic, added_by=organiser))
        for row in agenda:
            row.created_at = meeting.created_at
            row._history_user = organiser
            row._history_date = meeting.created_at
        with _stamped(AgendaItem):
            bulk_create_with_history(agenda, AgendaItem, batch_size=200)

        recorder = organiser
        decided = self._on(held_on, 17, 45)
        decisions, plans = [], []
        number = 0
        for point in agenda:
            if joint is not None:
                number += 1
                decisions.append(
                    (
                        Decision(
                            meeting=meeting,
                            agenda_item=point,
                            number=number,
                            text=joint.note,
                            joint_decision=joint,
                            recorded_by=joint.recorded_by,
                        ),
                        [],
                    )
                )
                continue
            if point.project is None:
                rows = self._leading_group_rows(world, meeting)
                if not rows:
                    continue
            elif point is agenda[0] and (self.today - held_on).days <= 30:
                # Recent meetings gave the demo department account's department work.
                rows = self._project_rows(world, meeting, point, busy=True)
            elif point is not agenda[0] and rng.random() < 0.15:
                continue  # heard only, no decision
            else:
                rows = self._project_rows(world, meeting, point)
            number += 1
            text = "；".join(
                f"{'一二三四五'[i]}、由{department.name}牵头，{title}"
                for i, (department, title, *_r) in enumerate(rows)
            )
            decisions.append(
                (
                    Decision(
                        meeting=meeting,
                        agenda_item=point,
                        number=number,
                        text=f"{text}。",
                        recorded_by=recorder,
                    ),
                    rows,
                )
            )
        if meeting.kind == MeetingKind.LEADING_GROUP:
            rows = self._leading_group_rows(world, meeting)
            if rows:
                number += 1
                text = "；".join(f"由{d.name}{t}" for d, t, *_r in rows)
                decisions.append(
                    (
                        Decision(
                            meeting=meeting, number=number, text=f"{text}。", recorded_by=recorder
                        ),
                        rows,
                    )
                )
        for decision, _rows in decisions:
            decision.recorded_at = decided
            decision._history_user = decision.recorded_by
            decision._history_date = decided
        with _stamped(Decision):
            bulk_create_with_history([d for d, _r in decisions], Decision, batch_size=200)
        for decision, rows in decisions:
            self._event(
                self.meeting_type,
                meeting,
                decision.recorded_by,
                "decision.recorded",
                decided,
                decision.text,
                decision=decision.pk,
            )
            for department, title, person, project, need in rows:
                plans.append(
                    self._item_plan(meeting, decision, title, department, person, project, need)
                )
        if meeting.status == MeetingStatus.MINUTES_ISSUED:
            self._minutes(meeting, agenda, [d for d, _r in decisions], organiser)
        return plans

    def _project_rows(self, world, meeting, point, busy: bool = False) -> list[tuple]:
        """One or two action items on a project's point: its problem's or case's department,
        a topic's department; the demo department account's department often (with
        ``busy``, always)."""
        rng = self.rng
        project = point.project
        rows = []
        account = world.role_users.get(Role.DEPARTMENT)
        if busy and account is not None:
            key = next(k for k, d in world.departments.items() if d.pk == account.department_id)
            templates = [t for k, t in TOPICS if k == key] or [t for _k, t in TOPICS]
            rows.append(
                (account.department, rng.choice(templates).format(project=project.name), None)
            )
        if point.need is not None:
            department = point.need.department
            rows.append((department, f"协调解决{point.need.title}", point.need))
        elif point.case is not None:
            department = point.case.department
            rows.append((department, f"加快办理{project.name}{point.case.item.name}", None))
        keys = [k for k, _t in TOPICS if k in world.departments]
        weights = [4 if k == "works" else 1 for k in keys]
        for _n in range(1 if rows else rng.choice([1, 1, 2])):
            index = rng.choices(range(len(keys)), weights=weights)[0]
            key = keys[index]
            template = rng.choice([t for k, t in TOPICS if k == key])
            rows.append((world.departments[key], template.format(project=project.name), None))
        out = []
        for department, title, need in rows:
            person = self._person_of(world, department)
            out.append((department, title, person, project, need))
        return out

    def _leading_group_rows(self, world, meeting) -> list[tuple]:
        rng = self.rng
        chosen = rng.sample(LEADING_GROUP_DECISIONS, 2)
        rows = []
        for key, template in chosen:
            department = world.departments.get(key)
            if department is None:
                continue
            title = template.format(month=meeting.held_on.month)
            rows.append((department, title, self._person_of(world, department), None, None))
        return rows

    def _person_of(self, world, department):
        """Half of the items name a person in charge: the department's handler."""
        if self.rng.random() < 0.5:
            return None
        handlers = getattr(world, "handlers", {})
        person = handlers.get(department.pk)
        return person if person is not None and person.department_id == department.pk else None

    def _minutes(self, meeting, agenda, decisions, organiser) -> None:
        heard = "、".join(
            point.project.name if point.project is not None else point.topic for point in agenda
        )
        decided = "\n".join(f"{d.number}. {d.text}" for d in decisions)
        meeting.minutes = (
            f"{meeting.held_on:%Y年%m月%d日}，{meeting.chair.display_name}主持召开{meeting.get_kind_display()}，"
            f"听取了{heard}推进情况汇报，研究了项目推进中的困难和问题。\n会议议定：\n{decided}\n"
            "请各牵头部门按时限办结，区目标绩效督查室跟踪督办。"
        )
        if self.rng.random() < 0.6:
            name = f"{meeting.minutes_number}.pdf"
            path = f"meetings/{meeting.district_id}/{meeting.number}/{name}"
            meeting.minutes_file.name = self.builder._save_file(
                path, tiny_pdf([meeting.title, meeting.minutes_number, heard[:60]])
            )
            meeting.minutes_file_name = name
        meeting.save(update_fields=["minutes", "minutes_file", "minutes_file_name"])
        self._event(
            self.meeting_type,
            meeting,
            organiser,
            "meeting.minutes_issued",
            self._at(meeting.minutes_issued_on, 10, 17),
            meeting.minutes_number,
            on=meeting.minutes_issued_on,
        )

    # -- action items ---------------------------------------------------------------------

    def _item_plan(self, meeting, decision, title, department, person, project, need) -> ItemPlan:
        rng = self.rng
        start = meeting.held_on
        if rng.random() < 0.6:
            days = rng.choice([5, 10, 10, 15, 20])
            due, workdays = self.cal.after(start, days), days
        else:
            due, workdays = (
                self._workday(start + datetime.timedelta(days=rng.choice([20, 30, 45]))),
                None,
            )
        return ItemPlan(
            meeting=meeting,
            decision=decision,
            title=title[:200],
            department=department,
            person=person,
            project=project,
            need=need,
            due_on=due,
            due_workdays=workdays,
        )

    def _fate(self, plan: ItemPlan) -> str:
        """What became of an item, by the time left and a die."""
        r = self.rng.random()
        overdue_days = (self.today - plan.due_on).days
        if overdue_days > 45:
            return ActionStatus.CLOSED if r < 0.93 else OVERDUE
        if overdue_days > 0:
            if r < 0.45:
                return ActionStatus.CLOSED
            if r < 0.65:
                return ActionStatus.AWAITING_CONFIRMATION
            return OVERDUE
        if r < 0.2:
            return ActionStatus.NOT_STARTED
        if r < 0.6:
            return ActionStatus.IN_PROGRESS
        if r < 0.75:
            return ActionStatus.AWAITING_CONFIRMATION
        if r < 0.87:
            return ActionStatus.RETURNED
        return ActionStatus.CLOSED

    def _assign_fates(self, world, plans: list[ItemPlan]) -> None:
        """Every status appears, several items are overdue, and the demo department
        account's worklist shows an item of every light and state."""
        rng, cal, today = self.rng, self.cal, self.today
        fates = {id(p): self._fate(p) for p in plans}
        claimed: set[int] = set()

        def give(p: ItemPlan, fate: str) -> None:
            fates[id(p)] = fate
            claimed.add(id(p))

        def ensure(pool, fate, count):
            """At least ``count`` items of the pool with this fate, taking none that an
            earlier call has already given its fate."""
            have = [p for p in pool if fates[id(p)] == fate]
            for p in have[:count]:
                claimed.add(id(p))
            for p in pool:
                if len(have) >= count:
                    break
                if p not in have and id(p) not in claimed:
                    give(p, fate)
                    have.append(p)

        busy = world.role_users.get(Role.DEPARTMENT)
        mine = [p for p in plans if busy is not None and p.department.pk == busy.department_id]
        # The department's items of the last month: one due tomorrow (a yellow light), one
        # with time left (green), one overdue (red) when none of its older ones is.
        recent = sorted(
            (p for p in mine if (today - p.meeting.held_on).days <= 30),
            key=lambda p: (p.meeting.held_on, p.title),
            reverse=True,
        )
        for p, days in zip(recent, (1, rng.randint(6, 12)), strict=False):
            p.due_on, p.due_workdays = cal.after(today, days), None
            give(p, ActionStatus.IN_PROGRESS)
        late = sorted(
            (p for p in plans if today - datetime.timedelta(days=40) <= p.due_on < today),
            key=lambda p: (p.due_on, p.title),
        )
        if not any(p in mine for p in late):
            older = [p for p in recent[2:] if p.meeting.held_on < cal.before(today, 2)]
            if older:
                older[0].due_on, older[0].due_workdays = cal.before(today, 1), None
                late.append(older[0])
        ensure([p for p in late if p in mine], OVERDUE, 2)
        ensure(late, OVERDUE, 4)
        running = sorted(
            (p for p in plans if p.due_on >= today), key=lambda p: (p.meeting.held_on, p.title)
        )
        own_running = [p for p in running if p in mine] + [
            p for p in recent if p.due_on < today and id(p) not in claimed
        ]
        ensure(own_running, ActionStatus.RETURNED, 1)
        ensure(own_running, ActionStatus.AWAITING_CONFIRMATION, 1)
        ensure(running, ActionStatus.NOT_STARTED, 2)
        ensure(running, ActionStatus.RETURNED, 2)
        ensure(running, ActionStatus.AWAITING_CONFIRMATION, 2)
        ensure(running, ActionStatus.IN_PROGRESS, 3)
        for p in plans:
            self._live(p, fates[id(p)])

    def _live(self, p: ItemPlan, fate: str) -> None:
        """The item's record for its fate: notes, completion with evidence, return, closure."""
        rng, cal, today = self.rng, self.cal, self.today
        start = p.meeting.held_on
        yesterday = cal.before(today, 1)
        by = p.person
        first_note = None
        if fate != ActionStatus.NOT_STARTED and start < today:
            first_note = min(cal.after(start, rng.randint(1, 4)), today)
            p.notes.append((ProgressKind.NOTE, first_note, rng.choice(PROGRESS_NOTES), by, False))
        if fate == OVERDUE:
            p.status = rng.choice(
                [ActionStatus.IN_PROGRESS, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED]
            )
            if p.status == ActionStatus.NOT_STARTED:
                p.notes.clear()
            # The daily scan escalates an item the day after its due date.
            p.escalated_on = min(p.due_on + ONE_DAY, today)
            return
        p.status = fate
        if fate in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS):
            if fate == ActionStatus.NOT_STARTED:
                p.notes.clear()
            return
        # Completed: on time mostly, a little late sometimes (an entry in the ledger).
        earliest = first_note or start
        if fate == ActionStatus.AWAITING_CONFIRMATION:
            done = max(earliest, cal.before(today, rng.randint(1, 3)))
        elif p.due_on < today and rng.random() < 0.25:
            done = min(cal.after(p.due_on, rng.randint(1, 6)), yesterday)
        else:
            done = max(earliest, cal.before(min(p.due_on, today), rng.randint(0, 4)))
        done = min(max(done, start), today)
        p.notes.append((ProgressKind.COMPLETION, done, rng.choice(COMPLETIONS), by, True))
        if fate == ActionStatus.AWAITING_CONFIRMATION:
            p.completed_on = done
            return
        if fate == ActionStatus.RETURNED:
            back = min(cal.after(done, rng.randint(1, 2)), today)
            p.notes.append((ProgressKind.RETURN, back, rng.choice(RETURN_REASONS), None, False))
            p.returned_on = back
            return
        p.completed_on = done
        p.closed_on = min(cal.after(done, rng.randint(1, 3)), today)
        p.notes.append((ProgressKind.CLOSURE, p.closed_on, rng.choice(CLOSURE_NOTES), None, False))

    def _save_items(self, world, plans: list[ItemPlan]) -> None:
        if not plans:
            return
        self._assign_fates(world, plans)
        supervisor = world.role_users.get(Role.SUPERVISOR)
        district = world.district
        plans.sort(key=lambda p: (p.meeting.held_on, p.decision.number, p.title))
        items = []
        for p in plans:
            created = self._on(p.meeting.held_on, 18)
            year = p.meeting.held_on.year
            number = f"DB-{year}-{Counter.next_value(district, f'action-item-{year}'):04d}"
            while ActionItem.objects.filter(district=district, number=number).exists():
                number = f"DB-{year}-{Counter.next_value(district, f'action-item-{year}'):04d}"
            owner_person = p.person
            for i, (kind, day, text, by, with_file) in enumerate(p.notes):
                if by is None:
                    actor = (
                        supervisor if kind in (ProgressKind.RETURN, ProgressKind.CLOSURE) else None
                    )
                    actor = actor or self._staff(world, p.department)
                    p.notes[i] = (kind, day, text, actor, with_file)
            item = ActionItem(
                district=district,
                number=number,
                title=p.title,
                source=ActionSource.MEETING,
                project=p.project,
                decision=p.decision,
                need=p.need,
                owner_department=p.department,
                owner_person=owner_person,
                start_on=p.meeting.held_on,
                due_workdays=p.due_workdays,
                due_on=p.due_on,
                due_is_provisional=False,
                status=p.status,
                completed_on=p.completed_on,
                closed_on=p.closed_on,
                closed_by=supervisor if p.closed_on else None,
                escalated_on=p.escalated_on
                if p.escalated_on and p.escalated_on <= self.today
                else None,
                assigned_by=p.decision.recorded_by,
                version=1 + len(p.notes),
                created_at=created,
                updated_at=self._last(p, created),
            )
            item._history_user = p.decision.recorded_by
            item._history_date = item.updated_at
            p.item = item
            items.append(item)
        with _stamped(ActionItem):
            bulk_create_with_history(items, ActionItem, batch_size=500)
        rows = []
        for p in plans:
            self._event(
                self.item_type,
                p.item,
                p.decision.recorded_by,
                "action_item.created",
                p.item.created_at,
                f"{p.item.number} {p.item.title}",
                source=ActionSource.MEETING,
                owner_department=p.department.pk,
                due_on=p.due_on,
            )
            for kind, day, text, by, with_file in p.notes:
                when = self._at(day, 9, 17)
                row = ActionProgress(
                    action_item=p.item,
                    kind=kind,
                    recorded_on=day,
                    text=text,
                    by=by,
                    created_at=when,
                )
                if with_file:
                    row.file_name = f"{p.item.number}办结报告.pdf"
                    row.file.name = self.builder._save_file(
                        f"action-items/{p.item.pk}/{row.file_name}",
                        tiny_pdf([p.item.number, p.item.title[:40], text]),
                    )
                row._history_user = by
                row._history_date = when
                rows.append(row)
                verb = {
                    ProgressKind.NOTE: "action_item.progress",
                    ProgressKind.COMPLETION: "action_item.completed",
                    ProgressKind.RETURN: "action_item.returned",
                    ProgressKind.CLOSURE: "action_item.closed",
                }[kind]
                self._event(self.item_type, p.item, by, verb, when, text, on=day)
            if p.item.escalated_on:
                overdue_days = self.cal.left(p.due_on, p.item.escalated_on)
                self._event(
                    self.item_type,
                    p.item,
                    None,
                    "action_item.overdue",
                    self._on(p.item.escalated_on, 1, 30),
                    f"超期 {-overdue_days} 个工作日",
                    due_on=p.due_on,
                    days=-overdue_days,
                )
        with _stamped(ActionProgress):
            bulk_create_with_history(rows, ActionProgress, batch_size=500)

    def _last(self, p: ItemPlan, created: datetime.datetime) -> datetime.datetime:
        days = [day for _k, day, *_r in p.notes]
        if not days:
            return created
        return max(created, self._at(max(days), 17, 17))

    # -- the ledger, the notices and today's meeting ----------------------------------------

    def _ledger(self) -> None:
        """Items done late wrote their entry when completed; open overdue ones on the first
        working day after their due date (the daily scan)."""
        from zhaoshang.assessment.models import LedgerEntry

        districts = [w.district.pk for w in self.builder.worlds]
        items = ActionItem.objects.filter(district_id__in=districts, source=ActionSource.MEETING)
        items = items.select_related("owner_department")
        before = set(LedgerEntry.objects.values_list("pk", flat=True))
        for item in items:
            if item.completed_on and item.completed_on > item.due_on:
                services.record_overdue(item, item.completed_on)
            elif item.is_open and item.due_on < self.today:
                services.record_overdue(item)
        entries = LedgerEntry.objects.filter(district_id__in=districts).exclude(pk__in=before)
        self.builder._backdate(
            LedgerEntry,
            {
                pk: self._on(day, 2)
                for pk, day in entries.values_list("pk", "occurred_on")
                if day < self.today
            },
            "created_at",
        )

    def _notices(self, world) -> None:
        """The demo department account was told of its recent and overdue items, the
        supervision office of the items waiting for its confirmation."""
        busy = world.role_users.get(Role.DEPARTMENT)
        supervisor = world.role_users.get(Role.SUPERVISOR)
        recent = self.today - datetime.timedelta(days=21)
        items = ActionItem.objects.filter(
            district=world.district, source=ActionSource.MEETING
        ).select_related("owner_department")
        stamps = {}
        if busy is not None:
            for item in items.filter(
                owner_department_id=busy.department_id, created_at__date__gte=recent
            ):
                for note in notify(
                    [busy],
                    "action_item.created",
                    f"新督办事项{item.number}，{item.due_on:%Y-%m-%d}前办结：{item.title}",
                    url=item.get_absolute_url(),
                ):
                    stamps[note.pk] = item.created_at + datetime.timedelta(minutes=5)
            for item in items.filter(
                owner_department_id=busy.department_id, escalated_on__isnull=False
            ):
                for note in notify(
                    [busy],
                    "action_item.overdue",
                    f"督办事项{item.number}已超期（{item.due_on:%Y-%m-%d}到期，"
                    f"{item.owner_department.name}）：{item.title}",
                    url=item.get_absolute_url(),
                ):
                    stamps[note.pk] = self._on(item.escalated_on, 1, 35)
        if supervisor is not None:
            for item in items.filter(status=ActionStatus.AWAITING_CONFIRMATION):
                for note in notify(
                    [supervisor],
                    "action_item.completed",
                    f"督办事项{item.number}已报请办结，请确认：{item.title}",
                    url=item.get_absolute_url(),
                ):
                    stamps[note.pk] = self._at(item.completed_on, 16, 17)
        self.builder._backdate(
            Notification, {pk: self._cap(t) for pk, t in stamps.items()}, "created_at"
        )

    def _today(self, world) -> None:
        """Today's joint meeting, scheduled through the service: the problems escalated to a
        meeting are on its agenda."""
        organiser = world.role_users.get(Role.BUREAU)
        if organiser is None:
            return
        kind, chair_key, title, place = TODAY_MEETING
        projects = [p for p in self._projects_at(world, self.today) if p.is_green_channel][:1]
        services.schedule_meeting(
            organiser,
            district=world.district,
            kind=kind,
            title=title.format(month=self.today.month),
            held_on=self.today,
            starts_at=datetime.time(14, 30),
            place=place,
            chair=world.leaders.get(chair_key) or world.role_users[Role.LEADER],
            departments=[
                world.departments[k]
                for k in ("bureau", "works", "land", "perf")
                if k in world.departments
            ],
            attendees=[
                u for u in (organiser, world.role_users.get(Role.SUPERVISOR)) if u is not None
            ],
            projects=projects,
        )


def meeting_counts(district_ids) -> dict[str, int]:
    """Meeting and supervision records of the demo districts (for the summary and tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "meetings": Meeting.objects.filter(in_districts).count(),
        "decisions": Decision.objects.filter(meeting__district_id__in=district_ids).count(),
        "action items": ActionItem.objects.filter(in_districts).count(),
    }
