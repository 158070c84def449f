"""Removing the demo city again (``load_demo --reset``): every record of the demo districts,
their people (the city-level demo account too) and the change history of those records, in
an order that respects the PROTECT foreign keys. The models are found through their path to
a district, so the reset keeps working as apps are added."""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import PROTECT, FileField, ProtectedError, Q, RestrictedError

from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.notifications.models import Notification
from zhaoshang.org.models import Department, District, Industry, Park, User, WorkingGroup, Zone
from zhaoshang.projects.models import Project

CITY_USERNAMES = ("city",)
# Deleted in this order at the end, once the records of other apps that point at them are.
LAST = (Project, WorkingGroup, User, Enterprise, Industry, Park, Zone, Department, District)


def demo_users(district_ids) -> Q:
    """The people of the demo districts: staff, their enterprises' accounts, the city user."""
    return (
        Q(district_id__in=district_ids)
        | Q(enterprise__district_id__in=district_ids)
        | Q(username__in=CITY_USERNAMES, district__isnull=True)
    )


def _models(history: bool):
    """The project's models, or their django-simple-history models."""
    return [m for m in apps.get_models() if hasattr(m, "instance_type") == history]


def _names(model) -> set[str]:  # the names of its columns
    return {f.name for f in model._meta.concrete_fields}


def _parents(model):
    """(field, parent model) of each foreign key of ``model``."""
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            yield field, field.related_model


def _district_path(model, depth: int = 3) -> str | None:
    """The lookup from a model to its district id (``district_id``, or through up to two
    foreign keys: ``entry__department__district_id``), or None."""
    if any(p is District and f.name == "district" for f, p in _parents(model)):
        return "district_id"
    for field, parent in _parents(model) if depth > 1 else ():
        if parent in (District, User, model) or parent._meta.app_label in ("contenttypes", "auth"):
            continue
        if (below := _district_path(parent, depth - 1)) is not None:
            return f"{field.name}__{below}"
    return None


def _stored_files(district_ids) -> list[str]:
    """The stored files of the districts' records (documents, photos, minutes …), found
    through each model's path to its district."""
    names: list[str] = []
    for model in _models(history=False):
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, FileField)]
        path = _district_path(model) if fields else None
        if path is not None:
            for row in model.objects.filter(**{f"{path}__in": district_ids}).values_list(*fields):
                names.extend(name for name in row if name)
    return names


def _pending_deletes(district_ids, user_ids) -> list:
    """What to delete: rows without a district of their own that PROTECT a district's record
    (a complaint's extension) first, the records of every app with a district, then ``LAST``."""
    pending = []
    for model in _models(history=False):
        if "district" in _names(model):
            if model not in LAST and model is not DomainEvent:
                pending.append(model.objects.filter(district_id__in=district_ids))
            continue
        for field, parent in _parents(model):
            protects = field.remote_field.on_delete is PROTECT and parent not in (District, User)
            if protects and "district" in _names(parent):
                lookup = {f"{field.name}__district_id__in": district_ids}
                pending.insert(0, model.objects.filter(**lookup))
                break
    for model in LAST:
        key = "pk" if model in (District, User) else "district_id"
        ids = user_ids if model is User else district_ids
        if model is WorkingGroup:  # the working groups before the leading group above them
            pending.append(model.objects.filter(district_id__in=ids, parent__isnull=False))
        pending.append(model.objects.filter(**{f"{key}__in": ids}))
    return pending


def _history(district_ids, user_ids) -> list:
    """The change history of the records being removed (collected before they are): by
    district, project or enterprise, or through the parent's district (a case's pauses)."""

    def pks(model) -> list:
        return list(
            model._default_manager.filter(district_id__in=district_ids).values_list("pk", flat=True)
        )

    ids_of = {"district": district_ids, "project": pks(Project), "enterprise": pks(Enterprise)}
    found = []
    for model in _models(history=True):
        names, record = _names(model), model.instance_type
        if "history" in names and "m2m_history_id" in names:
            continue  # m2m history rows go with their parent history row (CASCADE)
        if record in (District, User):
            ids = district_ids if record is District else user_ids
            found.append(model.objects.filter(id__in=ids))
        elif names & {"district", "project", "enterprise"}:
            key = next(k for k in ids_of if k in names)
            found.append(model.objects.filter(**{f"{key}_id__in": ids_of[key]}))
        else:
            for field, parent in _parents(record):
                if parent is not User and "district" in _names(parent):
                    found.append(model.objects.filter(**{f"{field.name}_id__in": pks(parent)}))
                    break
    return found


@contextlib.contextmanager
def _no_deletion_history():
    """The history is removed last: the "deleted" rows are not written (simple-history's
    own switch)."""
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def purge_districts(codes) -> list[str]:
    """Delete the districts with these codes and everything of theirs; return the names of
    the stored files that belonged to them (the caller deletes them once committed)."""
    district_ids = list(District.objects.filter(code__in=codes).values_list("pk", flat=True))
    if not district_ids:
        return []
    user_ids = list(User.objects.filter(demo_users(district_ids)).values_list("pk", flat=True))
    files = _stored_files(district_ids)
    history = _history(district_ids, user_ids)
    with _no_deletion_history():
        _delete_records(district_ids, user_ids)
    for qs in history:  # last: the change history of what was deleted
        qs.delete()
    return sorted({name for name in files if name})


def _delete_records(district_ids, user_ids) -> None:
    """Every record of the districts and their people, PROTECT references first."""
    Notification.objects.filter(recipient_id__in=user_ids).delete()
    # The job runs the demo load recorded (not per district; a scheduler's own runs stay).
    from zhaoshang.demo.ops import LOAD_HOST
    from zhaoshang.ops.models import JobRun

    JobRun.objects.filter(host=LOAD_HOST).delete()
    DomainEvent.objects.filter(Q(district_id__in=district_ids) | Q(actor_id__in=user_ids)).delete()
    # Models of later apps are retried until nothing protects them any more.
    pending = _pending_deletes(district_ids, user_ids)
    while pending:
        left = []
        for qs in pending:
            try:
                with transaction.atomic():
                    qs.delete()
            except (ProtectedError, RestrictedError) as exc:
                left.append(qs)
                if len(left) == len(pending):
                    raise RuntimeError(f"Cannot remove the demo districts: {exc}") from exc
        pending = left
