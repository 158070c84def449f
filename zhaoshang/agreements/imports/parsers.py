"""The cells of the agreements' ledger: the investment schedule in one cell, a land area,
a target figure, and the projects, departments and choices the sheets name."""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Number,
    Parser,
    WholeNumber,
    cell_text,
)
from zhaoshang.core.imports.parsers import DEFAULT_UNIT, Money
from zhaoshang.org.imports import department_ref
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.imports_team import ProjectRef
from zhaoshang.projects.models import Project

# --- the investment schedule in one cell ------------------------------------------------------

_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
    r"(?:[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?|月?\s*(?P<mend>底|末)?)"
    r"|(?P<y2>\d{4})\s*年\s*(?P<yend>底|末)"
    r"|(?P<compact>(?<!\d)\d{8}(?!\d))"
)
_AMOUNT = re.compile(
    r"(?<![\d.])\d[\d,]*(?:\.\d+)?\s*(?:千万元|千万|亿元|亿|万元|万|千元|元)?(?![\d期])"
)


def _schedule_date(match: re.Match) -> datetime.date:
    """The day a date of the schedule names; a month or a year alone means its last day
    (“2027年底”, “2027年6月”: due by then)."""
    if match["compact"]:
        return datetime.datetime.strptime(match["compact"], "%Y%m%d").date()
    if match["yend"]:
        return datetime.date(int(match["y2"]), 12, 31)
    year, month = int(match["y"]), int(match["m"])
    if match["d"]:
        return datetime.date(year, month, int(match["d"]))
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _pairs(text: str) -> list[tuple[re.Match, str | None]]:
    """Each date of the text with the amount written beside it: after it (“2026年底前到位
    5000万元”), or else before it (“5000万元（2026年底前）”)."""
    dates = list(_DATE.finditer(text))
    after = [
        _AMOUNT.search(text, d.end(), dates[i + 1].start() if i + 1 < len(dates) else len(text))
        for i, d in enumerate(dates)
    ]
    if all(after):
        return [(d, a.group()) for d, a in zip(dates, after, strict=True)]
    before = []
    for i, d in enumerate(dates):
        found = list(_AMOUNT.finditer(text, dates[i - 1].end() if i else 0, d.start()))
        before.append(found[-1].group() if found else None)
    if all(before):
        return list(zip(dates, before, strict=True))
    return [(d, a.group() if a else None) for d, a in zip(dates, after, strict=True)]


_AMOUNT_PARSER = Money(max_digits=14)


class Schedule(Parser):
    """The investment schedule (投资进度) in one cell: a date and the cumulative funds in
    place due by it on each line, e.g. “2026-12-31 5000；2027年底 2亿元”. An amount without
    its unit is in the column's unit (万元 unless the mapping says otherwise)."""

    takes_unit = True

    def __call__(self, value, importer):
        return self.read(value, importer, DEFAULT_UNIT)

    def parse_cell(self, value, importer, column):
        units = getattr(importer, "units", None) or {}
        return self.read(value, importer, units.get(column.key) or DEFAULT_UNIT)

    def read(self, value, importer, unit: str) -> list[tuple[datetime.date, Decimal]]:
        text = unicodedata.normalize("NFKC", cell_text(value))
        schedule, errors = [], []
        for date, amount in _pairs(text):
            try:
                due = _schedule_date(date)
            except ValueError:
                errors.append(_("“%(date)s” is not a date.") % {"date": date.group().strip()})
                continue
            if amount is None:
                errors.append(_("No amount is given for %(date)s.") % {"date": due.isoformat()})
                continue
            try:
                schedule.append((due, _AMOUNT_PARSER.convert(amount, importer, unit)))
            except ValidationError as exc:
                errors.extend(f"{due.isoformat()}: {m}" for m in exc.messages)
        if errors:
            raise ValidationError(errors)
        if not schedule:
            raise ValidationError(
                _("Give each date and the funds in place due by it (e.g. 2026-12-31 5000).")
            )
        return schedule

    def hint(self):
        return _(
            "One line per date: the date and the cumulative funds in place due by it, "
            "separated by “；”, e.g. 2026-12-31 5000；2027-12-31 2亿元."
        )


# --- references -------------------------------------------------------------------------------


def _projects(importer):
    return (
        Project.objects.filter(district=importer.district)
        .select_related("enterprise")
        .order_by("code", "id")
    )


PROJECT = ProjectRef(_projects, label=lambda p: p.code)
# (Not 项目编号: an office's own numbering is not our code, which the column still takes.)
PROJECT_NAMES = ("项目", "项目名称", "项目名", "项目全称", "签约项目")

DEPARTMENT = department_ref()

PARTY = Choice(
    Party,
    aliases={
        Party.ENTERPRISE: ("企业", "乙方", "投资方", "投资企业", "企业方"),
        Party.DEPARTMENT: ("部门", "甲方", "政府", "政府方", "责任部门", "区政府"),
    },
)
KIND = Choice(
    ObligationKind,
    aliases={
        ObligationKind.FUNDS: ("资金到位", "到位资金", "投资进度", "资金"),
        ObligationKind.INVESTMENT: ("完成投资", "投资完成", "固定资产投资", "累计投资"),
        ObligationKind.STAGE: ("项目进度", "建设进度", "节点", "阶段"),
        ObligationKind.SERVICE: ("服务", "服务事项", "要素保障", "配套服务", "政府服务"),
        ObligationKind.TAX: ("税收", "纳税", "年纳税", "年税收"),
        ObligationKind.JOBS: ("就业", "用工", "就业人数", "解决就业"),
        ObligationKind.INTENSITY: ("投资强度", "亩均投资"),
        ObligationKind.OUTPUT: ("产值", "年产值"),
        ObligationKind.ENERGY: ("节能减排", "能耗", "环保"),
    },
)
TARGET_STAGE = Choice(
    Stage,
    aliases={
        Stage.REGISTERED: ("注册", "完成注册", "工商注册", "注册落地"),
        Stage.LAND_DELIVERED: ("交地", "供地", "土地交付", "摘牌"),
        Stage.STARTED: ("开工", "已开工", "开工建设"),
        Stage.COMPLETED: ("竣工", "已竣工", "建成"),
        Stage.PRODUCTION: ("投产", "已投产", "建成投产"),
        Stage.CAPACITY: ("达产", "已达产", "达产达效"),
    },
)


def date_column(key, label, *aliases, help="", required=False):
    return Column(key, label, Date(), required=required, help=help, width=12, aliases=aliases)


class Area(Parser):
    """A land area in mu (亩): a number, “200亩” too."""

    kind = "number"

    def __call__(self, value, importer):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().removesuffix("亩").strip()
        return Number(10, 2)(value, importer)

    def hint(self):
        return _("A number of mu (亩).")


class People(Parser):
    """A number of people: 300, “300人”."""

    kind = "number"

    def __call__(self, value, importer):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().rstrip("人名个").strip()
        return WholeNumber()(value, importer)

    def hint(self):
        return _("A whole number of people.")


class Figure(Money):
    """A target figure: an amount in 10k yuan, or a number of people (“300人”)."""

    def convert(self, value, importer, unit):
        text = unicodedata.normalize("NFKC", cell_text(value)).strip()
        if text.endswith(("人", "名")):
            return Number(self.max_digits, 2)(text[:-1].strip(), importer)
        return super().convert(value, importer, unit)
