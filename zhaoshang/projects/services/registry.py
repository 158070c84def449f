"""State changes of projects. Views, the API, admin actions and jobs all call these.

Each service checks the state, runs in one transaction, locks the row where races
matter, writes the domain event and queues notifications on commit.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.models import Counter
from zhaoshang.core.validators import IMAGE_TYPES, validate_upload
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import User
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import (
    EXIT_STAGES,
    PRE_SIGNING,
    REPORTING_STAGES,
    SINGLE_TEAM_ROLES,
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    TEAM_ROLE_RANK,
    Condition,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import (
    DocumentVersion,
    FundsEntry,
    MaterialType,
    MonthlyReport,
    MonthlyReportPhoto,
    Project,
    ProjectDocument,
    ProjectTeamMember,
    StageEvent,
)

# Fields a project form may set directly; stage, condition, team and code have services.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "enterprise",
    "industry",
    "park",
    "level",
    "source",
    "total_investment",
    "fixed_asset_investment",
    "land_area",
    "planned_start_on",
    "planned_completion_on",
    "planned_production_on",
    "designed_output",
    "committed_tax",
    "committed_jobs",
    "actual_tax",
    "energy_commitment",
    "is_green_channel",
    "designated_leader",
    "working_group",
    "description",
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_same_district(project_district_id: int, **related) -> None:
    """Every referenced record must belong to the project's district."""
    errors = {}
    for field, obj in related.items():
        if obj is None:
            continue
        if getattr(obj, "district_id", project_district_id) != project_district_id:
            errors[field] = _("This record belongs to another district.")
    if errors:
        raise ValidationError(errors)


def _check_departments(district_id: int, departments) -> None:
    if any(d.district_id != district_id for d in departments):
        raise ValidationError({"paired_departments": _("This record belongs to another district.")})


def _check_dates(data: Mapping) -> None:
    start, completion, production = (
        data.get("planned_start_on"),
        data.get("planned_completion_on"),
        data.get("planned_production_on"),
    )
    errors = {}
    if start and completion and completion < start:
        errors["planned_completion_on"] = _(
            "The planned completion cannot be before the planned start."
        )
    if completion and production and production < completion:
        errors["planned_production_on"] = _(
            "The planned production cannot be before the planned completion."
        )
    fixed, total = data.get("fixed_asset_investment"), data.get("total_investment")
    if fixed is not None and total is not None and fixed > total:
        errors["fixed_asset_investment"] = _(
            "The fixed-asset investment cannot exceed the total investment."
        )
    if errors:
        raise ValidationError(errors)


def next_project_code(district, year: int) -> str:
    """ZS-YYYY-NNNN, skipping numbers already taken (e.g. by imported projects)."""
    while True:
        number = Counter.next_value(district, f"project-{year}")
        code = f"ZS-{year}-{number:04d}"
        if not Project.objects.filter(district=district, code=code).exists():
            return code


@transaction.atomic
def create_project(user, district, data: Mapping, paired_departments: Iterable = ()) -> Project:
    """Register a project in the district; the code is allocated here (ZS-YYYY-NNNN)."""
    _require(permissions.can_edit_registry(user, district.pk))
    _check_dates(data)
    _check_same_district(
        district.pk,
        **{k: data.get(k) for k in ("enterprise", "industry", "park", "working_group")},
    )
    project = Project(district=district, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    project.code = next_project_code(district, clock.today().year)
    project.full_clean(exclude=["code", "name_initials", "name_pinyin"])
    project.save()
    departments = list(paired_departments)
    _check_departments(district.pk, departments)
    project.paired_departments.set(departments)
    log_event(user, "project.created", project, summary=project.name)
    return project


@transaction.atomic
def update_project(
    user, project: Project, data: Mapping, expected_version: int, paired_departments=None
) -> Project:
    """Save edited fields; a stale ``expected_version`` means someone else saved first."""
    _require(permissions.can_edit_registry(user, project.district_id))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError()
    _check_dates({k: data.get(k, getattr(locked, k)) for k in EDITABLE_FIELDS})
    _check_same_district(
        locked.district_id,
        **{k: data.get(k) for k in ("enterprise", "industry", "park", "working_group")},
    )
    changed = [k for k in EDITABLE_FIELDS if k in data and getattr(locked, k) != data[k]]
    for key in changed:
        setattr(locked, key, data[key])
    locked.full_clean(exclude=["code", "name_initials", "name_pinyin"])
    locked.version += 1
    locked.save()
    if paired_departments is not None:
        departments = list(paired_departments)
        _check_departments(locked.district_id, departments)
        locked.paired_departments.set(departments)
    log_event(user, "project.updated", locked, summary=locked.name, fields=changed)
    return locked


@transaction.atomic
def delete_project(user, project: Project) -> None:
    """Delete a project (admins only); its row history keeps the deletion.

    Raises ProtectedError while other records still refer to it."""
    _require(permissions.can_delete_registry(user, project.district_id))
    log_event(user, "project.deleted", project, summary=str(project))
    project.delete()


def _latest_stage_date(project: Project) -> datetime.date | None:
    return (
        StageEvent.objects.filter(project=project, is_backward=False)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )


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
    _require(permissions.can_record_service(user, project))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    reason = reason or ""
    backward = check_stage_move(locked, to_stage, reason)
    today = clock.today()
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Give the date of the stage change.")})
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if not backward:
        previous = _latest_stage_date(locked)
        if previous and occurred_on < previous:
            raise ValidationError(
                {
                    "occurred_on": _(
                        "The date cannot be before the previous stage change (%(date)s)."
                    )
                    % {"date": previous.isoformat()}
                }
            )

    evidence_files = dict(evidence_files or {})
    required = STAGE_EVIDENCE.get(to_stage, ()) if not backward else ()
    types = {
        m.code: m for m in MaterialType.objects.filter(code__in=set(required) | set(evidence_files))
    }
    existing = {
        d.material_type.code: d
        for d in ProjectDocument.objects.filter(project=locked, material_type__code__in=required)
        .select_related("material_type")
        .prefetch_related("versions")
    }
    errors: dict[str, list[str]] = {}
    for code in required:
        if code not in evidence_files and (
            code not in existing or not existing[code].versions.all()
        ):
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
    if errors:
        raise ValidationError(errors)

    evidence: list[DocumentVersion] = []
    for code, uploaded in evidence_files.items():
        evidence.append(
            _store_version(user, locked, types[code], uploaded, note=Stage(to_stage).label)
        )
    for code in required:
        if code not in evidence_files:
            evidence.append(existing[code].versions.all()[0])

    from_stage = locked.stage
    locked.stage = to_stage
    if backward:
        # Dates of the stages after the target no longer hold.
        target_index = STAGE_INDEX.get(to_stage, -1)
        for stage, field in STAGE_DATE_FIELDS.items():
            if stage in EXIT_STAGES or STAGE_INDEX.get(stage, 99) > target_index:
                setattr(locked, field, None)
    if to_stage in STAGE_DATE_FIELDS and not backward:
        setattr(locked, STAGE_DATE_FIELDS[to_stage], occurred_on)
    locked.version += 1
    locked.save()
    event = StageEvent.objects.create(
        project=locked,
        from_stage=from_stage,
        to_stage=to_stage,
        occurred_on=occurred_on,
        reason=reason,
        is_backward=backward,
        recorded_by=user,
    )
    event.evidence.set(evidence)
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
    project.refresh_from_db()
    return event


@transaction.atomic
def set_condition(
    user, project: Project, condition: str, reason: str, expected_version: int | None = None
) -> Project:
    """Mark a project normal, delayed or stopped (停建); the last two need a reason."""
    _require(permissions.can_record_service(user, project))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
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
    locked.version += 1
    locked.save()
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


def check_team_rank(role: str, member: User) -> None:
    """The 项目经理制 rank rules: manager county-level, secretary section-level,
    service officer a general cadre."""
    needed = TEAM_ROLE_RANK.get(role)
    if needed and member.rank != needed:
        from zhaoshang.org.choices import Rank

        raise ValidationError(
            {
                "user": _("The %(role)s must be a %(rank)s; %(name)s is %(actual)s.")
                % {
                    "role": TeamRole(role).label,
                    "rank": Rank(needed).label,
                    "name": member.display_name,
                    "actual": Rank(member.rank).label if member.rank else _("without a rank"),
                }
            }
        )


@transaction.atomic
def assign_team_member(user, project: Project, role: str, member: User) -> ProjectTeamMember:
    """Put a person on the project team; a single role (manager, secretary, officer) is replaced."""
    _require(permissions.can_manage_team(user, project))
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Unknown team role.")})
    if member.district_id != project.district_id:
        raise ValidationError({"user": _("This person works in another district.")})
    if member.enterprise_id:
        raise ValidationError({"user": _("An enterprise user cannot be on the project team.")})
    check_team_rank(role, member)
    if role == TeamRole.LEADING_GROUP and project.level != "major":
        raise ValidationError({"role": _("Only a major project has a dedicated leading group.")})
    if role in SINGLE_TEAM_ROLES:
        ProjectTeamMember.objects.filter(project=project, role=role).delete()
    elif ProjectTeamMember.objects.filter(project=project, role=role, user=member).exists():
        raise ValidationError({"user": _("This person is already in the leading group.")})
    membership = ProjectTeamMember.objects.create(
        project=project, role=role, user=member, since=clock.today()
    )
    log_event(
        user,
        "project.team_assigned",
        project,
        summary=f"{TeamRole(role).label}: {member.display_name}",
        role=role,
        user=member.pk,
    )
    notify(
        [member],
        "project.team_assigned",
        _("You are now %(role)s of %(project)s")
        % {"role": TeamRole(role).label, "project": project.name},
        url=project.get_absolute_url(),
    )
    return membership


@transaction.atomic
def remove_team_member(user, membership: ProjectTeamMember) -> None:
    project = membership.project
    _require(permissions.can_manage_team(user, project))
    log_event(
        user,
        "project.team_removed",
        project,
        summary=f"{membership.get_role_display()}: {membership.user.display_name}",
        role=membership.role,
        user=membership.user_id,
    )
    membership.delete()


def _store_version(
    user, project: Project, material_type: MaterialType, uploaded, note: str = ""
) -> DocumentVersion:
    document, _created = ProjectDocument.objects.get_or_create(
        project=project, material_type=material_type
    )
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    version = DocumentVersion(
        document=document,
        number=last + 1,
        original_name=uploaded.name[:200],
        size=uploaded.size,
        sha256=digest.hexdigest(),
        note=note[:200],
        uploaded_by=user,
    )
    version.file.save(uploaded.name, uploaded, save=False)
    version.save()
    return version


@transaction.atomic
def upload_document(
    user, project: Project, material_type: MaterialType, uploaded, note: str = ""
) -> DocumentVersion:
    """Add a material to the project library, or a new version of one already there."""
    _require(permissions.can_record_service(user, project))
    try:
        validate_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    version = _store_version(user, project, material_type, uploaded, note)
    log_event(
        user,
        "project.document_uploaded",
        project,
        summary=f"{material_type.label} v{version.number}",
        material=material_type.code,
        version=version.number,
    )
    return version


@transaction.atomic
def record_funds(user, project: Project, data: Mapping) -> FundsEntry:
    """Record funds in place (到位资金)."""
    _require(permissions.can_record_service(user, project))
    if project.stage in PRE_SIGNING or project.stage == Stage.TERMINATED:
        raise ValidationError(_("Funds in place are recorded for signed projects only."))
    entry = FundsEntry(project=project, recorded_by=user, **data)
    errors = {}
    if entry.amount is not None and entry.amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if entry.received_on and entry.received_on > clock.today():
        errors["received_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    entry.full_clean()
    entry.save()
    log_event(
        user,
        "project.funds_recorded",
        project,
        summary=f"{entry.amount}",
        amount=entry.amount,
        origin=entry.origin,
        use=entry.use,
    )
    return entry


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def submit_monthly_report(
    user, project: Project, data: Mapping, photos: Iterable = ()
) -> MonthlyReport:
    """File (or correct) the monthly progress report of a signed project."""
    _require(permissions.can_record_service(user, project))
    if project.stage not in REPORTING_STAGES:
        raise ValidationError(
            _("Monthly progress is reported for projects from “signed” to “at designed capacity”.")
        )
    month = data.get("month")
    errors = {}
    if month is None:
        errors["month"] = _("Choose the month reported on.")
    else:
        month = month_start(month)
        if month > month_start(clock.today()):
            errors["month"] = _("A report cannot be filed for a future month.")
    for field in ("investment_this_month", "investment_cumulative", "funds_this_month"):
        value = data.get(field)
        if value is not None and value < 0:
            errors[field] = _("The amount cannot be negative.")
    if (
        data.get("investment_this_month") is not None
        and data.get("investment_cumulative") is not None
        and data["investment_cumulative"] < data["investment_this_month"]
    ):
        errors["investment_cumulative"] = _(
            "The cumulative investment cannot be less than this month's."
        )
    photos = list(photos)
    for photo in photos:
        try:
            validate_upload(photo, IMAGE_TYPES)
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    values = {k: v for k, v in data.items() if k != "month"}
    report = MonthlyReport.objects.filter(project=project, month=month).first()
    created = report is None
    if created:
        report = MonthlyReport(project=project, month=month)
    for key, value in values.items():
        setattr(report, key, value)
    report.submitted_by = user
    report.submitted_at = clock.now()
    report.full_clean()
    report.save()
    for photo in photos:
        MonthlyReportPhoto.objects.create(report=report, image=photo)
    log_event(
        user,
        "project.monthly_report_filed" if created else "project.monthly_report_corrected",
        project,
        summary=f"{month:%Y-%m}",
        month=month,
    )
    return report
