"""The departments' assessment of the demo city (SPEC §12, §18; the work plan's 年终考核 and
目标绩效考核).

Last year is finished: base score 100, the supervision office's hand entries — deductions and
additions, each with its evidence PDF — and two objections, one upheld (its counter-entry
cancels the points) and one rejected, answered before the year was finished. This year is
open, with a hand entry or two and one objection waiting for the supervision office. The rule
entries the other builders' scans wrote (overdue cases, missed milestones …) count as well.
The second district has this year's settings only.

Everything goes through ``assessment.scoring`` as the pages would, so the domain events and
notifications are the real ones. Runs after every other builder (it finishes last year, after
which no entry of that year counts).
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import AssessmentYear, LedgerEntry, Objection
from zhaoshang.core.roles import Role
from zhaoshang.demo.files import tiny_pdf

# (department key, points, month, day, reason, evidence file name, evidence text)
LAST_YEAR_ENTRIES = [
    (
        "works",
        "-3",
        5,
        14,
        "督查暗访发现窗口推诿扯皮，企业反映强烈，区政府督查通报",
        "dc-notice-0514.pdf",
        "Supervision notice",
    ),
    (
        "works",
        "-2",
        8,
        6,
        "联席会议交办事项未按时报送办理情况，无故缺席第三季度调度会",
        "meeting-minutes-0806.pdf",
        "Meeting minutes",
    ),
    (
        "land",
        "-2",
        6,
        20,
        "用地保障进度未按要求每月报送，经两次催办仍未报送",
        "land-reminder-0620.pdf",
        "Reminder record",
    ),
    (
        "planning",
        "-1.5",
        9,
        3,
        "规划条件核定超出承诺时限，被企业投诉并经核实",
        "planning-check-0903.pdf",
        "Verification record",
    ),
    (
        "center",
        "2",
        11,
        18,
        "项目代办服务获市政府通报表扬",
        "city-commendation-1118.pdf",
        "City commendation",
    ),
    (
        "aic",
        "1",
        10,
        9,
        "企业开办一日办结经验被省级推广",
        "province-notice-1009.pdf",
        "Provincial notice",
    ),
]
THIS_YEAR_ENTRIES = [
    (
        "works",
        "-2",
        3,
        12,
        "第一季度项目调度会交办事项逾期未办结",
        "dispatch-0312.pdf",
        "Dispatch record",
    ),
    (
        "econ",
        "1",
        4,
        8,
        "主动对接企业协调要素保障，获企业书面感谢",
        "thanks-0408.pdf",
        "Letter of thanks",
    ),
]


def _pdf(name: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(list(lines)), content_type="application/pdf")


class AssessmentBuilder:
    """Adds the assessment to the worlds a DemoBuilder built (after every other builder)."""

    def __init__(self, builder):
        self.builder = builder
        self.today = builder.today

    def build(self) -> None:
        for index, world in enumerate(self.builder.worlds):
            supervisor = world.role_users.get(Role.SUPERVISOR)
            if supervisor is None:
                continue
            if index == 0:
                self._demo_district(world, supervisor)
            else:
                scoring.set_base_score(supervisor, world.district, self.today.year, "100")

    # -- helpers --------------------------------------------------------------------------

    def _day(self, year: int, month: int, day: int) -> datetime.date:
        return min(datetime.date(year, month, day), self.today)

    def _entries(self, world, supervisor, year: int, rows) -> dict[str, LedgerEntry]:
        written: dict[str, LedgerEntry] = {}
        for key, points, month, day, reason, file_name, title in rows:
            department = world.departments.get(key)
            if department is None:
                continue
            on = self._day(year, month, day)
            entry = scoring.add_hand_entry(
                supervisor,
                department=department,
                year=year,
                points=points,
                reason=reason,
                evidence=_pdf(file_name, title, f"{department.name} {on.isoformat()}", reason[:20]),
                occurred_on=on,
            )
            self.builder.written_files.append(entry.evidence_file.name)
            written.setdefault(f"{key}{points}", entry)
        return written

    def _handler(self, world, key: str):
        """A person of the department who files its objections."""
        department = world.departments.get(key)
        if department is None:
            return None
        user = world.role_users.get(Role.DEPARTMENT)
        if user is not None and user.department_id == department.pk:
            return user
        return next((u for u in world.staff if u.department_id == department.pk), None)

    def _object(self, world, entry: LedgerEntry, key: str, reason: str, with_file: bool):
        handler = self._handler(world, key)
        if handler is None or entry is None:
            return None
        upload = _pdf("objection.pdf", "Objection", reason[:20]) if with_file else None
        objection = scoring.file_objection(handler, entry, reason, upload)
        if objection.file:
            self.builder.written_files.append(objection.file.name)
        return objection

    # -- the demo district ----------------------------------------------------------------

    def _demo_district(self, world, supervisor) -> None:
        district = world.district
        last, this = self.today.year - 1, self.today.year
        for year in (last, this):
            scoring.set_base_score(supervisor, district, year, "100")
        entries = self._entries(world, supervisor, last, LAST_YEAR_ENTRIES)
        upheld = self._object(
            world,
            entries.get("works-2"),
            "works",
            "第三季度调度会已提前书面请假并经分管领导批准，交办事项已于次日报送，附请假审批单",
            with_file=True,
        )
        if upheld is not None:
            scoring.answer_objection(
                supervisor,
                upheld,
                upheld=True,
                answer="经核实请假手续完备、材料已报送，异议成立，撤销扣分",
            )
        rejected = self._object(
            world,
            entries.get("works-3"),
            "works",
            "窗口人员已按规定一次性告知，不存在推诿扯皮",
            with_file=False,
        )
        if rejected is not None:
            scoring.answer_objection(
                supervisor,
                rejected,
                upheld=False,
                answer="暗访录像及企业陈述相互印证，异议不成立，维持扣分",
            )
        scoring.finish_year(supervisor, district, last)

        this_entries = self._entries(world, supervisor, this, THIS_YEAR_ENTRIES)
        waiting = self._this_year_deduction(world, this) or this_entries.get("works-2")
        self._object(
            world,
            waiting,
            "works",
            "该事项涉及跨部门会签，逾期系前置部门未出具意见所致，申请核减",
            with_file=True,
        )

    def _this_year_deduction(self, world, year: int) -> LedgerEntry | None:
        """This year's first rule deduction of the works department, if a scan wrote one."""
        department = world.departments.get("works")
        if department is None:
            return None
        return (
            LedgerEntry.objects.filter(department=department, year=year, points__lt=0)
            .exclude(rule_code="")
            .order_by("occurred_on", "id")
            .first()
        )


def assessment_counts(district_ids) -> dict[str, int]:
    """Assessment records of the demo districts (for the summary and tests)."""
    in_districts = Q(district_id__in=district_ids)
    return {
        "assessment years": AssessmentYear.objects.filter(in_districts).count(),
        "ledger entries": LedgerEntry.objects.filter(in_districts).count(),
        "objections": Objection.objects.filter(in_districts).count(),
    }
