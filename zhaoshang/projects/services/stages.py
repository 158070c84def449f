"""A project's stage (阶段) and condition (正常、滞后、停建): each move with its date, its
evidence and, going back or ending, its reason (SPEC §4)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require
from zhaoshang.core.validators import validate_upload
from zhaoshang.notifications.services import notify
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import (
    EXIT_STAGES,
    PRE_SIGNING,
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    Level,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    MaterialType,
    Project,
    ProjectDocument,
    StageEvent,
)
from zhaoshang.projects.services.documents import store_version


def _latest_stage_date(project: Project) -> datetime.date | None:
    return (
        StageEvent.objects.filter(project=project, is_backward=False)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )


def _goes_back(current: str, to_stage: str) -> bool:
    """Whether a move (one ``check_stage_move`` accepts) goes backwards: reopening an
    ended project, or a stage before the current one."""
    if to_stage in (Stage.TERMINATED, Stage.EXITED):
        return False
    return current in EXIT_STAGES or STAGE_INDEX[to_stage] < STAGE_INDEX[current]


def check_stage_move(project: Project, to_stage: str, reason: str) -> bool:
    """Validate the move and return whether it goes backwards."""
    current = project.stage
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    if to_stage == current:
        raise ValidationError({"to_stage": _("The project is already in this stage.")})
    label = Stage(to_stage).label
    if to_stage == Stage.TERMINATED:
        if current not in PRE_SIGNING:
            raise ValidationError(
                {
                    "to_stage": _(
                        "Only a project not yet signed can end as “terminated”; a signed project leaves through the exit mechanism."
                    )
                }
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason the talks ended.")})
        return False
    if to_stage == Stage.EXITED:
        if current in PRE_SIGNING or current in EXIT_STAGES:
            raise ValidationError(
                {"to_stage": _("Only a signed project can be cleared under the exit mechanism.")}
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for the clearance.")})
        return False
    if current in EXIT_STAGES:
        if not reason.strip():
            raise ValidationError({"reason": _("Reopening an ended project needs a reason.")})
        return True
    if STAGE_INDEX[to_stage] < STAGE_INDEX[current]:
        if not reason.strip():
            raise ValidationError(
                {
                    "reason": _("Moving a project back to “%(stage)s” needs a reason.")
                    % {"stage": label}
                }
            )
        return True
    expected = STAGE_ORDER[STAGE_INDEX[current] + 1]
    if to_stage != expected:
        raise ValidationError(
            {
                "to_stage": _(
                    "Stages cannot be skipped: from “%(current)s” the next stage is “%(next)s”, not “%(stage)s”."
                )
                % {"current": Stage(current).label, "next": Stage(expected).label, "stage": label}
            }
        )
    return False


# Any reason at all: asking ``check_stage_move`` whether a move is possible once reasoned.
_SOME_REASON = "-"


def required_evidence(to_stage: str, backward: bool) -> tuple[str, ...]:
    """The material codes a move needs: the target stage's evidence going forward or
    ending, none going back or reopening."""
    return () if backward else STAGE_EVIDENCE.get(to_stage, ())


def pending_batch(project: Project):
    """The import batch (补录) not yet confirmed by the bureau that the project's history
    came from, or None (kept on the instance: the stage page asks once per stage)."""
    if not hasattr(project, "_pending_import"):
        event = (
            StageEvent.objects.filter(
                project=project, is_imported=True, import_batch__confirmed_at__isnull=True
            )
            .exclude(import_batch=None)
            .select_related("import_batch")
            .order_by("id")
            .first()
        )
        project._pending_import = event.import_batch if event else None
    return project._pending_import


def check_import_confirmed(project: Project) -> None:
    """A project whose history was imported moves on only once the bureau has confirmed
    the import (its owed evidence does not block after that)."""
    batch = pending_batch(project)
    if batch is not None:
        raise ValidationError(
            {
                "to_stage": _(
                    "The stage history of this project was imported (补录) from “%(file)s” "
                    "(batch #%(batch)s) and the bureau has not confirmed that import yet: "
                    "its stage can change once the import is confirmed."
                )
                % {"file": batch.file_name, "batch": batch.pk}
            }
        )


def _preconditions(errors: dict, project: Project, to_stage: str, backward: bool) -> None:
    """What the project itself must hold before the move (beyond its reason, date and
    evidence): an imported history confirmed by the bureau; a major project's leading
    group before it is signed."""
    gather(errors, check_import_confirmed, project)
    if to_stage == Stage.SIGNED and not backward:
        gather(errors, check_signing, project)


@dataclass(frozen=True)
class StageMove:
    """A move ``check_stage_move`` accepts from a project's stage: whether it goes back,
    whether it needs a reason, the evidence it needs (material codes) and what the project
    still lacks for it (``blockers``: messages; a blocked move is refused until then)."""

    from_stage: str
    stage: str
    backward: bool
    needs_reason: bool
    evidence: tuple[str, ...]
    blockers: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return Stage(self.stage).label

    @property
    def kind(self) -> str:
        """``next``, ``end`` (terminated or exited), ``back`` or ``reopen``."""
        if self.stage in EXIT_STAGES:
            return "end"
        if self.backward:
            return "reopen" if self.from_stage in EXIT_STAGES else "back"
        return "next"


def stage_moves(project: Project) -> list[StageMove]:
    """Every move the service accepts from the project's stage, found by asking
    ``check_stage_move`` (the rule's one home) of each stage, in the order of the line:
    the next stage, the ending that applies, and, with a reason, the stages before (or,
    for an ended project, reopening at any stage)."""
    moves = []
    for stage in Stage.values:
        try:
            backward = check_stage_move(project, stage, _SOME_REASON)
        except ValidationError:
            continue
        try:
            check_stage_move(project, stage, "")
            needs_reason = False
        except ValidationError:
            needs_reason = True
        errors: dict = {}
        _preconditions(errors, project, stage, backward)
        moves.append(
            StageMove(
                from_stage=project.stage,
                stage=stage,
                backward=backward,
                needs_reason=needs_reason,
                evidence=required_evidence(stage, backward),
                blockers=tuple(str(m) for messages in errors.values() for m in messages),
            )
        )
    return moves


def evidence_on_file(project: Project, codes) -> dict[str, DocumentVersion]:
    """The latest version that counts as evidence of each material (by code) in the
    project's library: what a move needing it would take without a new upload."""
    documents = {
        d.material_type.code: d
        for d in ProjectDocument.objects.filter(project=project, material_type__code__in=codes)
        .select_related("material_type")
        .prefetch_related("versions")
    }
    return {code: versions[0] for code, versions in _counting(documents).items() if versions}


def _counting(documents: Mapping[str, ProjectDocument]) -> dict[str, list[DocumentVersion]]:
    # An enterprise's upload waits for the staff's confirmation before it is evidence.
    return {
        code: [v for v in document.versions.all() if v.counts_as_evidence]
        for code, document in documents.items()
    }


# A major project's own leading group (重大项目成立专门的领导小组): at least this many members.
LEADING_GROUP_MIN = 2


def check_signing(project: Project) -> None:
    """What the work plan demands of the project itself before it is signed: a major
    project has its own leading group (专门的领导小组) of several people. (The agreement's
    terms are demanded when the agreement is recorded: ``agreements.services``.)"""
    if project.level != Level.MAJOR:
        return
    members = project.team_members.filter(role=TeamRole.LEADING_GROUP).count()
    if members < LEADING_GROUP_MIN:
        raise ValidationError(
            {
                "to_stage": _(
                    "“%(project)s” is a major project: it is signed only once its own leading "
                    "group (专门的领导小组) of at least %(min)s people is formed; it has "
                    "%(n)s. Name the members on the project team first."
                )
                % {"project": project.name, "min": LEADING_GROUP_MIN, "n": members}
            }
        )


def _check_stage_date(project: Project, occurred_on, backward: bool) -> None:
    """The date of a move: given, not in the future, and (going forward) not before the
    previous forward move."""
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Give the date of the stage change.")})
    if occurred_on > clock.today():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if backward:
        return
    previous = _latest_stage_date(project)
    if previous and occurred_on < previous:
        raise ValidationError(
            {
                "occurred_on": _("The date cannot be before the previous stage change (%(date)s).")
                % {"date": previous.isoformat()}
            }
        )


def _evidence(
    user,
    project: Project,
    to_stage: str,
    backward: bool,
    evidence_files: Mapping,
    errors: dict | None = None,
) -> list[DocumentVersion]:
    """The evidence of a move: each material the target stage needs, uploaded now or
    already in the library (uploads are checked, then kept as new versions). With
    ``errors`` (the problems found so far in the move), the evidence's own problems join
    them, and nothing is stored unless there are none."""
    errors = {} if errors is None else errors
    evidence_files = dict(evidence_files or {})
    required = required_evidence(to_stage, backward)
    codes = set(required) | set(evidence_files)
    types = {m.code: m for m in MaterialType.objects.filter(code__in=codes)}
    existing = {
        d.material_type.code: d
        for d in ProjectDocument.objects.filter(project=project, material_type__code__in=codes)
        .select_related("material_type")
        .prefetch_related("versions")
    }
    counting = _counting(existing)
    for code in required:
        if code not in evidence_files and not counting.get(code):
            name = types[code].label if code in types else code
            errors.setdefault(f"evidence_{code}", []).append(
                _("“%(stage)s” needs the evidence “%(material)s”: upload it.")
                % {"stage": Stage(to_stage).label, "material": name}
            )
    for code, uploaded in evidence_files.items():
        if code not in types:
            errors.setdefault(f"evidence_{code}", []).append(_("Unknown material type."))
            continue
        try:
            validate_upload(uploaded)
        except ValidationError as exc:
            errors.setdefault(f"evidence_{code}", []).extend(exc.messages)
    raise_errors(errors)
    evidence = [
        store_version(user, project, types[code], uploaded, Stage(to_stage).label, existing)
        for code, uploaded in evidence_files.items()
    ]
    evidence += [counting[code][0] for code in required if code not in evidence_files]
    return evidence


def _set_stage(project: Project, to_stage: str, occurred_on, backward: bool) -> None:
    project.stage = to_stage
    if backward:
        # Dates of the stages after the target no longer hold.
        target_index = STAGE_INDEX.get(to_stage, -1)
        for stage, field in STAGE_DATE_FIELDS.items():
            if stage in EXIT_STAGES or STAGE_INDEX.get(stage, 99) > target_index:
                setattr(project, field, None)
    elif to_stage in STAGE_DATE_FIELDS:
        setattr(project, STAGE_DATE_FIELDS[to_stage], occurred_on)


@transaction.atomic
def change_stage(
    user,
    project: Project,
    to_stage: str,
    occurred_on: datetime.date,
    reason: str = "",
    evidence_files: Mapping[str, object] | None = None,
    expected_version: int | None = None,
) -> StageEvent:
    """Move a project to another stage with the evidence that stage needs (SPEC §4)."""
    require(permissions.can_record_service(user, project))
    locked = lock_for_update(project, expected_version, select_related=("designated_leader",))
    reason = reason or ""
    # The move, its date and its evidence are all checked before refusing, so that one
    # answer names every problem (a future date and a missing document, say).
    errors: dict = {}
    backward = gather(errors, check_stage_move, locked, to_stage, reason)
    if "to_stage" in errors:  # (no target stage: no date or evidence to check against it)
        raise_errors(errors)
    if backward is None:  # refused for its reason only: the direction is known
        backward = _goes_back(locked.stage, to_stage)
    _preconditions(errors, locked, to_stage, backward)
    gather(errors, _check_stage_date, locked, occurred_on, backward)
    evidence = _evidence(user, locked, to_stage, backward, evidence_files, errors)
    from_stage = locked.stage
    _set_stage(locked, to_stage, occurred_on, backward)
    locked.save_new_version()
    event = StageEvent.objects.create(
        project=locked,
        from_stage=from_stage,
        to_stage=to_stage,
        occurred_on=occurred_on,
        reason=reason,
        is_backward=backward,
        recorded_by=user,
    )
    if evidence:
        event.evidence.add(*evidence)
    log_event(
        user,
        "project.stage_changed",
        locked,
        summary=f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        from_stage=from_stage,
        to_stage=to_stage,
        occurred_on=occurred_on,
        backward=backward,
        reason=reason,
    )
    recipients = [m.user for m in locked.team_members.select_related("user")]
    recipients.append(locked.designated_leader)
    notify(
        [r for r in recipients if r is not None and r != user],
        "project.stage_changed",
        _("%(project)s is now “%(stage)s”")
        % {"project": locked.name, "stage": Stage(to_stage).label},
        body=reason,
        url=locked.get_absolute_url(),
    )
    _hand_back(locked, project)
    return event


def _hand_back(locked: Project, project: Project) -> None:
    """The caller's ``project`` takes the row as just saved (what ``refresh_from_db`` would
    read back), keeping the related rows it holds where the row still points at them."""
    for field in project._meta.concrete_fields:
        setattr(project, field.attname, getattr(locked, field.attname))
    project._prefetched_objects_cache = {}


@transaction.atomic
def set_condition(
    user, project: Project, condition: str, reason: str, expected_version: int | None = None
) -> Project:
    """Mark a project normal, delayed or stopped (停建); the last two need a reason."""
    require(permissions.can_record_service(user, project))
    locked = lock_for_update(project, expected_version)
    if condition not in Condition.values:
        raise ValidationError({"condition": _("Unknown condition.")})
    reason = (reason or "").strip()
    if condition != Condition.NORMAL and not reason:
        raise ValidationError(
            {
                "condition_reason": _("A project marked “%(condition)s” needs a reason.")
                % {"condition": Condition(condition).label}
            }
        )
    previous = locked.condition
    locked.condition = condition
    locked.condition_reason = reason if condition != Condition.NORMAL else ""
    locked.save_new_version()
    log_event(
        user,
        "project.condition_changed",
        locked,
        summary=Condition(condition).label,
        previous=previous,
        condition=condition,
        reason=reason,
    )
    return locked
