"""Import of a district's approval cases in flight (在办审批事项, 补录; issue 20).

Each row is replayed through the approval services in the order the case lived it, with
the clock set to each step's day (``core.clock.at``, as the demo replays its history):
registered, materials complete (the clock starts the day after), accepted, paused and
resumed, extended, done. So a case lands in the state and with the due date it would have
had if every step had been recorded on the platform that day — the calendar, the limit's
unit and the paused days counted by the services themselves — and a case done late writes
the ledger entry the services write (the assessment spares a period before the district's
go-live date).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import PauseKind
from zhaoshang.approvals.import_parsers import (
    EXTENSION_FIELDS,
    PROJECT,
    STATE,
    STEP_ORDER,
    DatePeriod,
    PauseKindChoice,
    _approvers,
    _items,
    state_errors,
)
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core import clock, roles
from zhaoshang.core.imports import Column, Date, Importer, Ref, Row, Text, WholeNumber
from zhaoshang.core.roles import Role
from zhaoshang.core.services import STATUS_FIELD
from zhaoshang.org.imports import department_ref


class CaseImporter(Importer):
    """Approval cases of the district's projects, at the step they have reached."""

    kind = "cases"
    model = ApprovalCase
    sheet_title = gettext_lazy("Approval cases")
    event_verb = "case.imported"
    columns = (
        PROJECT,
        Column(
            "item",
            gettext_lazy("Approval item"),
            Ref(
                _items,
                keys=lambda i: [i.code, i.name],
                not_found=gettext_lazy("No approval item “%(value)s” in your district."),
                ambiguous=gettext_lazy(
                    "Several approval items are named “%(value)s”; use the item code."
                ),
                label=lambda i: i.name,
                hint=gettext_lazy("The item's code or its name in the catalogue."),
            ),
            required=True,
            width=28,
            aliases=("事项名称", "审批事项", "审批事项名称", "事项", "办理事项", "事项编码"),
        ),
        Column(
            "department",
            gettext_lazy("Department"),
            department_ref(),
            help=gettext_lazy("Empty means the item's department."),
            width=20,
            aliases=("办理部门", "承办部门", "审批部门", "责任部门", "办理单位", "承办单位"),
        ),
        Column(
            "registered_on",
            gettext_lazy("Registered on"),
            Date(),
            required=True,
            width=12,
            aliases=("申请日期", "收件日期", "登记日期", "申报日期", "收件时间", "申请时间"),
        ),
        Column(
            "materials_complete_on",
            gettext_lazy("Materials complete on"),
            Date(),
            help=gettext_lazy(
                "The clock starts the day after; empty on an accepted case means the day of acceptance."
            ),
            width=12,
            aliases=("材料齐全日期", "材料齐全时间", "材料齐备日期", "材料齐全"),
        ),
        Column(
            "accepted_on",
            gettext_lazy("Accepted on"),
            Date(),
            width=12,
            aliases=("受理日期", "受理时间"),
        ),
        STATE,
        Column(
            "pause_kind",
            gettext_lazy("Kind of pause"),
            PauseKindChoice(),
            help=gettext_lazy("Empty means supplementing materials (补正)."),
            width=16,
            aliases=("暂停类型", "中止类型", "暂停种类", "暂停情形"),
        ),
        Column(
            "pause_period",
            gettext_lazy("Pause (from – to)"),
            DatePeriod(),
            width=24,
            aliases=("暂停起止", "中止起止", "暂停起止日期", "暂停期间", "中止期间"),
        ),
        Column(
            "pause_from",
            gettext_lazy("Paused from"),
            Date(),
            width=12,
            aliases=("暂停日期", "暂停开始日期", "中止日期", "暂停起始日期", "暂停起"),
        ),
        Column(
            "pause_to",
            gettext_lazy("Resumed on"),
            Date(),
            help=gettext_lazy("Empty while the case is still paused."),
            width=12,
            aliases=("恢复日期", "暂停结束日期", "恢复办理日期", "中止结束日期", "暂停止"),
        ),
        Column(
            "pause_reason",
            gettext_lazy("Reason for the pause"),
            Text(500),
            width=24,
            aliases=("暂停原因", "中止原因", "暂停事由", "中止事由"),
        ),
        Column(
            "extended_on",
            gettext_lazy("Extended on"),
            Date(),
            width=12,
            aliases=("延期日期", "延期审批日期", "批准延期日期", "延期时间"),
        ),
        Column(
            "extension_approver",
            gettext_lazy("Extension approved by"),
            Ref(
                _approvers,
                keys=lambda u: [u.username, u.real_name],
                not_found=gettext_lazy(
                    "No district leader or administrator “%(value)s” in your district."
                ),
                ambiguous=gettext_lazy("Several users are named “%(value)s”; use the user name."),
                label=lambda u: u.real_name or u.username,
                hint=gettext_lazy("A district leader's or administrator's name or user name."),
            ),
            width=16,
            aliases=("延期批准人", "延期审批人", "批准人", "审批领导"),
        ),
        Column(
            "extension_reason",
            gettext_lazy("Reason for the extension"),
            Text(500),
            width=24,
            aliases=("延期原因", "延期事由", "延期理由"),
        ),
        Column(
            "extended_due_on",
            gettext_lazy("Due after the extension"),
            Date(),
            help=gettext_lazy(
                "Kept with the extension's reason: the platform's due date follows the item's special limit."
            ),
            width=12,
            aliases=("延期后到期日", "延期至", "延长至", "延期后办结时限", "延期后期限"),
        ),
        Column(
            "extension_days",
            gettext_lazy("Working days added"),
            WholeNumber(365),
            help=gettext_lazy(
                "Kept with the extension's reason: the platform's due date follows the item's special limit."
            ),
            width=10,
            aliases=("延长天数", "延期天数", "延长工作日", "延期工作日"),
        ),
        Column(
            "done_on",
            gettext_lazy("Done on"),
            Date(),
            width=12,
            aliases=("办结日期", "办结时间", "完成日期", "出件日期"),
        ),
        Column(
            "approval_number",
            gettext_lazy("Approval number"),
            Text(60),
            width=20,
            aliases=("批准文号", "批文号", "文号", "批复文号", "证书编号", "证照编号"),
        ),
    )
    notes = (
        gettext_lazy(
            "Each case is recorded step by step on the dates of its row (registered, materials complete, accepted, paused, extended, done), so its due date is the one the platform computes: the clock starts the day after the materials are complete and paused days do not count."
        ),
        gettext_lazy(
            "An extension makes the limit the item's special limit, with the approver (a district leader or administrator); a due date or number of days the ledger gives is kept with its reason."
        ),
        gettext_lazy("A case done late docks its department only for days after the go-live date."),
        gettext_lazy("Import the projects first; a project has one case per approval item."),
    )

    # Where a service's refusal of a field lands when the row has no column of that name.
    _FIELD_OF = {
        "applied_on": "registered_on",
        "agent": None,
        "pledge_due_on": "accepted_on",
        "kind": "pause_kind",
        "reason": "pause_reason",
        "started_on": "pause_from",
        "ended_on": "pause_to",
        "higher_answer": "done_on",
        "certificate": "approval_number",
        "to_department": "department",
    }

    def allowed(self) -> bool:
        """Registering and handling a case: the district's administrators (the services
        let the service center register and the holding department handle; only an
        administrator may do both for every department)."""
        return (
            roles.has_role(self.user, Role.ADMIN)
            and not roles.is_city(self.user)
            and roles.same_district(self.user, self.district.pk)
        )

    # rules of one row ----------------------------------------------------------------------

    def clean_row(self, row: Row) -> None:
        v = row.values
        v["_row"] = row.number  # for the history texts (``source``)
        errors: dict[str, list[str]] = {}

        def refuse(key: str, message: str) -> None:
            errors.setdefault(self._column_of(v, key), []).append(message)

        period = v.pop("pause_period", None)
        if period is not None:
            if "pause_from" in v or "pause_to" in v:
                refuse("pause_period", _("Give the pause either as a span or as two dates."))
            else:
                v["pause_from"], v["pause_to"] = period
                v["_pause_column"] = "pause_period"
        self._check_dates(v, refuse)
        if v.get("accepted_on") and not v.get("materials_complete_on"):
            # 受理 is given on complete materials: a ledger without the day reads so.
            v["materials_complete_on"] = v["accepted_on"]
        self._check_pause(v, refuse)
        self._check_extension_fields(v, refuse)
        if v.get("done_on"):
            if not v.get("accepted_on"):
                refuse("done_on", _("Only an accepted case is done: give the acceptance date."))
            if v.get("pause_from") and not v.get("pause_to"):
                refuse("pause_to", _("The case is done: give the day the pause ended."))
        elif v.get("approval_number"):
            refuse("approval_number", _("An approval number is given when the case is done."))
        if not errors:
            for key, message in state_errors(v).items():
                refuse(key, message)
        if errors:
            raise ValidationError(errors)

    def _check_dates(self, v, refuse) -> None:
        """None in the future; the steps in the order a case lives them."""
        today = clock.today()
        for key in (*STEP_ORDER, "extended_on"):
            if v.get(key) and v[key] > today:
                refuse(key, _("The date cannot be in the future."))
        last = None
        for key in STEP_ORDER:
            if v.get(key) is None:
                continue
            if last is not None and v[key] < v[last]:
                refuse(key, self._before(v, last))
            else:
                last = key

    def _check_pause(self, v, refuse) -> None:
        paused = v.get("pause_from") or v.get("pause_to")
        if paused and not v.get("accepted_on"):
            refuse("pause_from", _("Only an accepted case is paused: give the acceptance date."))
        if v.get("pause_to") and not v.get("pause_from"):
            refuse("pause_to", _("Give the day the pause started."))
        if not paused:
            for key in ("pause_kind", "pause_reason"):
                if v.get(key):
                    refuse(key, _("Give the dates of the pause."))

    def _check_extension_fields(self, v, refuse) -> None:
        given = [k for k in EXTENSION_FIELDS if v.get(k) not in (None, "")]
        if not v.get("extended_on"):
            if given:
                refuse("extended_on", _("Give the day the extension was approved."))
            return
        if not v.get("accepted_on"):
            refuse("extended_on", _("Only an accepted case is extended."))
        elif v["extended_on"] < v["accepted_on"]:
            refuse("extended_on", self._before(v, "accepted_on"))
        if v.get("done_on") and v["extended_on"] > v["done_on"]:
            refuse("extended_on", _("The case was done before this date."))
        if not v.get("extension_approver"):
            refuse(
                "extension_approver",
                _("An extension needs an approver: a district leader or administrator."),
            )

    def _before(self, v, key: str) -> str:
        return _("The date cannot be before “%(step)s” (%(date)s).") % {
            "step": self._label(v, key),
            "date": v[key].isoformat(),
        }

    def check_rows(self, rows):
        """One case per project and item: twice in the file (the database's the service
        refuses)."""
        first: dict[tuple[int, int], int] = {}
        for row in rows:
            k = (row.values["project"].pk, row.values["item"].pk)
            if k in first:
                row.ok = False
                yield self.problem(
                    row,
                    "item",
                    _("The same project and item also appear in row %(row)d.") % {"row": first[k]},
                )
            else:
                first[k] = row.number

    # the replay ----------------------------------------------------------------------------

    def create(self, values: dict[str, Any]) -> ApprovalCase:
        """The row's steps in order; one refused leaves nothing of the row behind (its
        savepoint), so the rows after it are checked against what the file really adds."""
        with transaction.atomic():
            return self._replay(values)

    def _replay(self, v: dict[str, Any]) -> ApprovalCase:
        user = self.user
        with clock.at(v["registered_on"]):
            case = self._step(
                v,
                "registered_on",
                services.register_case,
                user,
                v["project"],
                v["item"],
                department=v.get("department"),
            )
        if v.get("materials_complete_on"):
            case = self._at(
                v,
                "materials_complete_on",
                services.mark_materials_complete,
                user,
                case,
                v["materials_complete_on"],
            )
        if v.get("accepted_on"):
            case = self._at(
                v, "accepted_on", services.accept_case, user, case, v["accepted_on"], imported=True
            )
        for _day, _order, key, call in sorted(self._middle_steps(v), key=lambda s: s[:2]):
            case = call(case, key)
        if v.get("done_on"):
            with clock.at(v["done_on"]):
                case = self._step(
                    v,
                    "done_on",
                    services.complete_case,
                    user,
                    case,
                    v["done_on"],
                    approval_number=v.get("approval_number") or "",
                    imported=True,
                )[0]
        return case

    def _middle_steps(self, v):
        """The pause and the extension, to be played in the order of their days."""
        user, steps = self.user, []
        recorded = _("Recorded from the district's ledger (补录): %(source)s.") % {
            "source": self.source(v.get("_row") or 0)
        }
        if v.get("pause_from"):
            reason = v.get("pause_reason") or recorded
            kind = v.get("pause_kind") or PauseKind.SUPPLEMENT
            steps.append(
                (
                    v["pause_from"],
                    0,
                    "pause_from",
                    lambda case, key: self._at(
                        v, key, services.pause_case, user, case, kind, reason, v["pause_from"]
                    ),
                )
            )
        if v.get("pause_to"):
            steps.append(
                (
                    v["pause_to"],
                    1,
                    "pause_to",
                    lambda case, key: self._at(
                        v, key, services.resume_case, user, case, v["pause_to"]
                    ),
                )
            )
        if v.get("extended_on"):
            why = self._extension_reason(v, recorded)
            steps.append(
                (
                    v["extended_on"],
                    2,
                    "extended_on",
                    lambda case, key: self._at(
                        v,
                        key,
                        services.extend_case,
                        user,
                        case,
                        why,
                        v["extension_approver"],
                        v["extended_on"],
                    ),
                )
            )
        return steps

    def _at(self, v, key: str, service, *args, **kwargs):
        """A step played on its own day: the clock at ``v[key]``."""
        with clock.at(v[key]):
            return self._step(v, key, service, *args, **kwargs)

    def _step(self, v, key: str, service, *args, **kwargs):
        """Call the service; its refusals land on the row's columns (a refusal of the
        case's state on the column of the step refused)."""
        try:
            return service(*args, **kwargs)
        except ValidationError as exc:
            raise self._on_columns(v, key, exc) from None

    def _on_columns(self, v, key: str, exc: ValidationError) -> ValidationError:
        step = self._column_of(v, key)
        if not hasattr(exc, "error_dict"):
            return ValidationError({step: exc.messages})
        errors: dict[str, list[str]] = {}
        for name, found in exc.error_dict.items():
            target = name if self.column(name) else self._FIELD_OF.get(name, step)
            if name in (STATUS_FIELD, "__all__") or target is None:
                target = step
            target = self._column_of(v, target)
            for error in found:
                errors.setdefault(target, []).extend(error.messages)
        return ValidationError(errors)

    def _extension_reason(self, v, recorded: str) -> str:
        """The reason recorded with the extension; the ledger's own figures (a due date, a
        number of days) kept in it: the platform's limit is the item's special limit."""
        reason = v.get("extension_reason") or recorded
        said = []
        if v.get("extension_days") is not None:
            said.append(_("%(days)d working days added") % {"days": v["extension_days"]})
        if v.get("extended_due_on"):
            said.append(_("due %(date)s") % {"date": v["extended_due_on"].isoformat()})
        if said:
            reason = _("%(reason)s (the ledger: %(said)s)") % {
                "reason": reason,
                "said": "、".join(said),
            }
        return reason

    # helpers -------------------------------------------------------------------------------

    @staticmethod
    def _column_of(v, key: str) -> str:
        """The column a pause's date came from (the span's, or its own)."""
        if key in ("pause_from", "pause_to") and v.get("_pause_column"):
            return v["_pause_column"]
        return key

    def _label(self, v, key: str) -> str:
        column = self.column(self._column_of(v, key))
        return str(column.label) if column else key
