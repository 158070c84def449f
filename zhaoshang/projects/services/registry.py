"""The project registry (项目库): register, edit and delete a project."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.models import Counter
from zhaoshang.core.services import gather, lock_for_update, raise_errors, require, rows_in_hand
from zhaoshang.projects.models import Project

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


def plan_errors(data: Mapping) -> dict:
    """The problems of a project's planned dates and figures in ``data`` (the fields
    present), as ``{field: [messages]}``: for the form to say them with its own."""
    errors: dict = {}
    gather(errors, _check_dates, data)
    return errors


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
    require(roles.can_edit_registry(user, district.pk))
    # Every check runs, and one answer names every problem (not one round at a time).
    errors: dict = {}
    gather(errors, _check_dates, data)
    gather(
        errors,
        _check_same_district,
        district.pk,
        **{k: data.get(k) for k in ("enterprise", "industry", "park", "working_group")},
    )
    departments = list(paired_departments)
    gather(errors, _check_departments, district.pk, departments)
    project = Project(district=district, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    exclude = ["code", "name_initials", "name_pinyin", *rows_in_hand(project)]
    gather(errors, project.full_clean, exclude=exclude)
    raise_errors(errors)
    project.code = next_project_code(district, clock.today().year)
    project.save()
    if departments:  # (a new project has none to compare with)
        project.paired_departments.add(*departments)
    log_event(user, "project.created", project, summary=project.name)
    return project


@transaction.atomic
def update_project(
    user, project: Project, data: Mapping, expected_version: int, paired_departments=None
) -> Project:
    """Save edited fields; a stale ``expected_version`` means someone else saved first."""
    require(roles.can_edit_registry(user, project.district_id))
    locked = lock_for_update(project, expected_version)
    errors: dict = {}
    gather(errors, _check_dates, {k: data.get(k, getattr(locked, k)) for k in EDITABLE_FIELDS})
    gather(
        errors,
        _check_same_district,
        locked.district_id,
        **{k: data.get(k) for k in ("enterprise", "industry", "park", "working_group")},
    )
    departments = list(paired_departments) if paired_departments is not None else None
    if departments is not None:
        gather(errors, _check_departments, locked.district_id, departments)
    changed = [k for k in EDITABLE_FIELDS if k in data and getattr(locked, k) != data[k]]
    for key in changed:
        setattr(locked, key, data[key])
    gather(errors, locked.full_clean, exclude=["code", "name_initials", "name_pinyin"])
    raise_errors(errors)
    locked.save_new_version()
    if departments is not None:
        locked.paired_departments.set(departments)
    log_event(user, "project.updated", locked, summary=locked.name, fields=changed)
    return locked


@transaction.atomic
def delete_project(user, project: Project) -> None:
    """Delete a project (admins only); its row history keeps the deletion.

    Raises ProtectedError while other records still refer to it."""
    require(roles.can_delete_registry(user, project.district_id))
    log_event(user, "project.deleted", project, summary=str(project))
    project.delete()
