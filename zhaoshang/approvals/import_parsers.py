"""The cells of an approval-case import (``imports.CaseImporter``): the kind of pause as a
ledger writes it, a pause's span in one cell (暂停起止), the case's status in the ledger
(办理状态, checked against its dates) and the records the rows name."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.approvals.choices import PauseKind
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.approvals.services.pauses import PAUSE_KINDS_SPECIAL
from zhaoshang.core.imports import Choice, Column, Date, Parser, cell_text
from zhaoshang.core.roles import Role
from zhaoshang.org.models import User
from zhaoshang.projects.imports_team import ProjectRef
from zhaoshang.projects.models import Project

# The kinds of pause a ledger records (the pledge's pause is the daily scan's own).
PAUSE_KINDS = (PauseKind.SUPPLEMENT, *PAUSE_KINDS_SPECIAL)
# The steps' days in the order a case lives them.
STEP_ORDER = (
    "registered_on",
    "materials_complete_on",
    "accepted_on",
    "pause_from",
    "pause_to",
    "done_on",
)
EXTENSION_FIELDS = ("extension_approver", "extension_reason", "extended_due_on", "extension_days")
# The end of a span written without its year: 至3月12日, -3.12.
_SHORT_END = re.compile(r"(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")
_DATE_TOKEN = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{8}")


class PauseKindChoice(Choice):
    """A pause's kind as a ledger writes it (补正, 听证, 专家评审, 现场勘查)."""

    def __init__(self):
        super().__init__(
            PauseKind,
            aliases={
                PauseKind.SUPPLEMENT: ("补正", "补正材料", "补齐补正", "材料补正", "补充材料"),
                PauseKind.HEARING: ("听证", "听证程序"),
                PauseKind.EXPERT_REVIEW: ("专家评审", "专家论证", "技术评审", "专家评审论证"),
                PauseKind.SITE_SURVEY: ("现场勘查", "现场踏勘", "实地核查", "现场核查"),
            },
        )

    def __call__(self, value, importer):
        kind = super().__call__(value, importer)
        if kind not in PAUSE_KINDS:
            raise ValidationError(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": cell_text(value), "allowed": "、".join(self.choices(importer))}
            )
        return kind

    def choices(self, importer):
        return [str(PauseKind(kind).label) for kind in PAUSE_KINDS]


class DatePeriod(Parser):
    """A pause's span in one cell (暂停起止): “2026.3.5-2026.3.12”, “2026-03-05 至
    2026-03-12”, “2026年3月5日至3月12日” (an end without its year is in the start's year);
    one date alone means the pause is still open."""

    kind = "text"

    def __call__(self, value, importer):
        if isinstance(value, datetime.date):
            return (Date()(value, importer), None)
        text = unicodedata.normalize("NFKC", cell_text(value))
        tokens = _DATE_TOKEN.findall(text)
        if not tokens or len(tokens) > 2:
            raise ValidationError(
                _("Write the pause as “2026-03-05 至 2026-03-12”, or its first day alone if open.")
            )
        days = [Date()(re.sub(r"\s+", "", t), importer) for t in tokens]
        if len(days) == 1:
            rest = _SHORT_END.search(text[text.index(tokens[0]) + len(tokens[0]) :])
            if rest:
                month, day = (int(x) for x in rest.groups())
                try:
                    days.append(datetime.date(days[0].year, month, day))
                except ValueError:
                    raise ValidationError(
                        _("“%(value)s” is not a date; write it as 2026-03-01.")
                        % {"value": rest.group(0)}
                    ) from None
        return (days[0], days[1] if len(days) > 1 else None)

    def hint(self):
        return _("“2026-03-05 至 2026-03-12”; the first day alone while the pause is open.")


def _projects(importer):
    return Project.objects.filter(district=importer.district).order_by("id")


def _items(importer):
    return ApprovalItem.objects.filter(district=importer.district).order_by("sort_order", "id")


def _approvers(importer):
    return (
        User.objects.filter(
            district=importer.district, groups__name__in=(Role.LEADER, Role.ADMIN), is_active=True
        )
        .distinct()
        .order_by("id")
    )


PROJECT = Column(
    "project",
    gettext_lazy("Project"),
    ProjectRef(_projects, label=lambda p: p.code),
    required=True,
    width=24,
    aliases=("项目名称", "项目", "项目代码", "所属项目", "项目名称或编号"),
)


class LedgerState(models.TextChoices):
    """Where the ledger says a case stands (办理状态): checked against the row's dates."""

    PENDING = "pending", gettext_lazy("Not yet accepted")
    OPEN = "open", gettext_lazy("Being handled")
    PAUSED = "paused", gettext_lazy("Paused")
    EXTENDED = "extended", gettext_lazy("Extended")
    DONE = "done", gettext_lazy("Done")


STATE = Column(
    "state",
    gettext_lazy("Status in the ledger"),
    Choice(
        LedgerState,
        aliases={
            LedgerState.PENDING: ("待受理", "未受理", "收件", "已收件", "待补正"),
            LedgerState.OPEN: ("在办", "办理中", "审批中", "已受理", "受理", "正在办理"),
            LedgerState.PAUSED: ("暂停", "中止", "暂停中", "补正中", "暂停计时"),
            LedgerState.EXTENDED: ("延期", "已延期", "延期办理"),
            LedgerState.DONE: ("办结", "已办结", "完成", "已完成", "已出件"),
        },
    ),
    help=gettext_lazy("Checked against the dates of the row."),
    width=10,
    aliases=("办理状态", "办件状态", "审批状态", "当前状态", "状态"),
)


def state_errors(v) -> dict[str, str]:
    """What the ledger's status contradicts in the row's dates ({column key: message})."""
    state = v.get("state")
    paused_open = bool(v.get("pause_from") and not v.get("pause_to"))
    if state is None:
        return {}
    if v.get("done_on") and state != LedgerState.DONE:
        return {"state": _("The row gives the day the case was done.")}
    wants = {
        LedgerState.DONE: (bool(v.get("done_on")), "done_on", _("Give the day it was done.")),
        LedgerState.PAUSED: (paused_open, "pause_from", _("Give the day the open pause started.")),
        LedgerState.EXTENDED: (
            bool(v.get("extended_on")),
            "extended_on",
            _("Give the day the extension was approved."),
        ),
        LedgerState.PENDING: (
            not v.get("accepted_on"),
            "state",
            _("The row gives the day the case was accepted."),
        ),
    }
    if state in wants and not wants[state][0]:
        return {wants[state][1]: wants[state][2]}
    return {}
