"""Removing the demo city again (``load_demo --reset``).

Deletes every record of the demo districts, their people (including the city-level demo
account) and the change history of those records, in an order that respects the PROTECT
foreign keys. Models of apps added later that belong to a district are found through their
``district`` foreign key and removed too, so the reset keeps working as the product grows.
"""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError

from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import (
    Department,
    District,
    Industry,
    Park,
    User,
    WorkingGroup,
    Zone,
)
from zhaoshang.projects.models import DocumentVersion, MonthlyReportPhoto, Project

CITY_USERNAMES = ("city",)


def demo_users(district_ids) -> Q:
    """The people of the demo districts: staff, their enterprises' accounts, the city user."""
    return (
        Q(district_id__in=district_ids)
        | Q(enterprise__district_id__in=district_ids)
        | Q(username__in=CITY_USERNAMES, district__isnull=True)
    )


def _district_models():
    """Every model (not a historical one) with a foreign key to District, besides the known."""
    known = {Department, Zone, Park, Industry, WorkingGroup, Enterprise, Project, User, DomainEvent}
    for model in apps.get_models():
        if model in known or hasattr(model, "instance_type"):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is District:
                yield model, field.name
                break


def _protecting_children(district_ids) -> list:
    """Rows without a district of their own that PROTECT a district's record (a complaint's
    extension or attachment): removed through their parent's district, before it."""
    from django.db.models import PROTECT

    found = []
    known = {DocumentVersion, MonthlyReportPhoto}
    for model in apps.get_models():
        if model in known or hasattr(model, "instance_type"):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "district" in names:
            continue
        for field in model._meta.concrete_fields:
            parent = field.related_model if field.is_relation else None
            if parent is None or parent in (District, User):
                continue
            if field.remote_field.on_delete is not PROTECT:
                continue
            if "district" in {f.name for f in parent._meta.concrete_fields}:
                found.append(
                    model.objects.filter(**{f"{field.name}__district_id__in": district_ids})
                )
                break
    return found


def _child_history(district_ids) -> list[tuple]:
    """History models of records that belong to a district only through their parent (a
    case's pauses): (history model, parent field, the parents' ids), collected before the
    parents are deleted."""
    found = []
    for model in apps.get_models():
        instance_type = getattr(model, "instance_type", None)
        if instance_type is None or instance_type in (District, User):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if names & {"district", "project", "enterprise"} or "m2m_history_id" in names:
            continue
        for field in instance_type._meta.concrete_fields:
            parent = field.related_model if field.is_relation else None
            if parent is None or parent is User:
                continue
            if "district" in {f.name for f in parent._meta.concrete_fields}:
                ids = list(
                    parent._default_manager.filter(district_id__in=district_ids).values_list(
                        "pk", flat=True
                    )
                )
                found.append((model, field.name, ids))
                break
    return found


def _history_querysets(district_ids, project_ids, user_ids, enterprise_ids):
    """The django-simple-history rows of the records being removed."""
    for model in apps.get_models():
        instance_type = getattr(model, "instance_type", None)
        if instance_type is None:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "history" in names and "m2m_history_id" in names:
            continue  # m2m history rows go with their parent history row (CASCADE)
        if instance_type is District:
            yield model.objects.filter(id__in=district_ids)
        elif instance_type is User:
            yield model.objects.filter(id__in=user_ids)
        elif "district" in names:
            yield model.objects.filter(district_id__in=district_ids)
        elif "project" in names:
            yield model.objects.filter(project_id__in=project_ids)
        elif "enterprise" in names:
            yield model.objects.filter(enterprise_id__in=enterprise_ids)


def _district_path(model, depth: int = 3) -> str | None:
    """The lookup from a model to its district id (``district_id``, or through up to two
    foreign keys: ``entry__department__district_id``), or None."""
    names = {f.name: f for f in model._meta.concrete_fields}
    if "district" in names and names["district"].related_model is District:
        return "district_id"
    if depth <= 1:
        return None
    for field in names.values():
        parent = field.related_model if field.is_relation else None
        if parent is None or parent in (District, User) or parent is model:
            continue
        if parent._meta.app_label in ("contenttypes", "auth"):
            continue
        below = _district_path(parent, depth - 1)
        if below is not None:
            return f"{field.name}__{below}"
    return None


def _stored_files(district_ids) -> list[str]:
    """The stored files of every record of the districts that has a file field (reports,
    evidence, minutes, attachments …), found through each model's path to its district."""
    from django.db.models import FileField

    names: list[str] = []
    for model in apps.get_models():
        if hasattr(model, "instance_type"):  # a history model: its files are the record's
            continue
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, FileField)]
        path = _district_path(model) if fields else None
        if path is None:
            continue
        for row in model.objects.filter(**{f"{path}__in": district_ids}).values_list(*fields):
            names.extend(name for name in row if name)
    return names


@contextlib.contextmanager
def _no_deletion_history():
    """The purge removes the districts' change history last; the "deleted" history rows
    its deletes would write first are not written at all (simple-history's own switch)."""
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def purge_districts(codes) -> list[str]:
    """Delete the districts with these codes and everything of theirs; return the names of
    the stored files that belonged to them (the caller deletes them once committed)."""
    districts = list(District.objects.filter(code__in=codes))
    if not districts:
        return []
    district_ids = [d.pk for d in districts]
    project_ids = list(
        Project.objects.filter(district_id__in=district_ids).values_list("pk", flat=True)
    )
    enterprise_ids = list(
        Enterprise.objects.filter(district_id__in=district_ids).values_list("pk", flat=True)
    )
    user_ids = list(User.objects.filter(demo_users(district_ids)).values_list("pk", flat=True))
    files = list(
        DocumentVersion.objects.filter(document__project_id__in=project_ids).values_list(
            "file", flat=True
        )
    ) + list(
        MonthlyReportPhoto.objects.filter(report__project_id__in=project_ids).values_list(
            "image", flat=True
        )
    )
    files += _stored_files(district_ids)

    children = _child_history(district_ids)
    with _no_deletion_history():
        _delete_records(district_ids, project_ids, user_ids)
    # Last: the change history of what was deleted.
    for qs in _history_querysets(district_ids, project_ids, user_ids, enterprise_ids):
        qs.delete()
    for model, name, ids in children:
        model.objects.filter(**{f"{name}_id__in": ids}).delete()
    return sorted({name for name in files if name})


def _delete_records(district_ids, project_ids, user_ids) -> None:
    """Every record of the districts and their people, PROTECT references first."""
    Notification.objects.filter(recipient_id__in=user_ids).delete()
    # The job runs the demo load recorded (not per district; a scheduler's own runs stay).
    from zhaoshang.demo.ops import LOAD_HOST
    from zhaoshang.ops.models import JobRun

    JobRun.objects.filter(host=LOAD_HOST).delete()
    DomainEvent.objects.filter(Q(district_id__in=district_ids) | Q(actor_id__in=user_ids)).delete()

    # Ordered so that PROTECT references are gone before their targets; models of later
    # apps come first and are retried until nothing protects them any more.
    pending = _protecting_children(district_ids) + [
        model.objects.filter(**{f"{name}_id__in": district_ids})
        for model, name in _district_models()
    ]
    pending += [
        Project.objects.filter(district_id__in=district_ids),
        WorkingGroup.objects.filter(district_id__in=district_ids, parent__isnull=False),
        WorkingGroup.objects.filter(district_id__in=district_ids),
        User.objects.filter(pk__in=user_ids),
        Enterprise.objects.filter(district_id__in=district_ids),
        Industry.objects.filter(district_id__in=district_ids),
        Park.objects.filter(district_id__in=district_ids),
        Zone.objects.filter(district_id__in=district_ids),
        Department.objects.filter(district_id__in=district_ids),
        District.objects.filter(pk__in=district_ids),
    ]
    last_error: Exception | None = None
    while pending:
        progress = False
        for qs in list(pending):
            try:
                with transaction.atomic():
                    qs.delete()
            except (ProtectedError, RestrictedError) as exc:
                last_error = exc
                continue
            pending.remove(qs)
            progress = True
        if not progress:
            raise RuntimeError(f"Cannot remove the demo districts: {last_error}")
