"""The park committee's archive (报园区管委会存档): a commitment's plan filed as a
read-only version, and the comparison of two versions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from zhaoshang.agreements import permissions
from zhaoshang.agreements.models import (
    ArchiveVersion,
    Commitment,
)
from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require, status_error
from zhaoshang.notifications.services import notify
from zhaoshang.org.models import User

# ---------------------------------------------------------------------------------------
# The park committee's archive (存档)

SNAPSHOT_SCHEMA = 1
# What a snapshot reads of a commitment: lock it with these and it reads them in one query.
SNAPSHOT_RELATED = ("project__park__committee", "department", "owner", "obligation")


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


def _named(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, "name", None) or str(obj)}


def schedule_of(commitment: Commitment) -> list:
    """The commitment's milestones in order, with the owners a snapshot names."""
    milestones = commitment.milestones.select_related("owner_department", "owner")
    return list(milestones.order_by("seq", "id"))


def snapshot(commitment: Commitment, milestones=None) -> dict:
    """The plan as filed: the commitment and its reverse schedule (``milestones`` when the
    caller holds them, from ``schedule_of``), with the names shown (departments, people)
    beside their ids, and dates as ISO text."""
    project = commitment.project
    if milestones is None:
        milestones = schedule_of(commitment)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "commitment": {
            "id": commitment.pk,
            "title": commitment.title,
            "content": commitment.content,
            "clause": commitment.clause,
            "department": _named(commitment.department),
            "owner": _person(commitment.owner),
            "obligation": (
                {"id": commitment.obligation_id, "name": commitment.obligation.description}
                if commitment.obligation_id
                else None
            ),
            "start_on": commitment.start_on.isoformat(),
            "target_on": commitment.target_on.isoformat(),
        },
        "project": {
            "id": project.pk,
            "code": project.code,
            "name": project.name,
            "park": str(project.park),
        },
        "milestones": [
            {
                "seq": m.seq,
                "name": m.name,
                "duration_workdays": m.duration_workdays,
                "planned_start_on": m.planned_start_on.isoformat(),
                "due_on": m.due_on.isoformat(),
                "due_is_provisional": m.due_is_provisional,
                "owner_department": _named(m.owner_department),
                "owner": _person(m.owner),
            }
            for m in milestones
        ],
    }


def _committee_users(park, committee):
    return User.objects.filter(
        Q(department=committee) | Q(park=park),
        district_id=park.district_id,
        groups__name=roles.Role.PARK,
        is_active=True,
    ).distinct()


@transaction.atomic
def file_commitment(
    user, commitment: Commitment, *, note: str = "", expected_version: int | None = None
) -> ArchiveVersion:
    """File the commitment and its reverse schedule to the park committee's archive
    (报园区管委会存档): a new, read-only version with the filer and the moment. Refused when
    the plan did not change since the last version filed."""
    require(permissions.can_manage_commitment(user, commitment))
    locked = lock_for_update(commitment, expected_version, select_related=SNAPSHOT_RELATED)
    if locked.filed_version and not locked.changed_since_filing:
        raise status_error(
            _("Version %(n)s is filed and nothing has changed since: there is nothing new to file.")
            % {"n": locked.filed_version}
        )
    return file_version(user, locked, note)


def file_version(user, locked: Commitment, note: str = "") -> ArchiveVersion:
    """Write the next archive version of ``locked`` (a commitment locked by the caller with
    ``SNAPSHOT_RELATED``): its plan as it stands now, the filer and the moment; notify the
    park committee. ``file_commitment`` and an approved change request both file so."""
    project = locked.project
    park = project.park
    if park.committee_id is None:
        raise ValidationError(
            _(
                "The park “%(park)s” has no management committee to file to: an "
                "administrator sets the committee of the park first."
            )
            % {"park": park.name}
        )
    milestones = schedule_of(locked)
    if not milestones:
        raise ValidationError(_("The commitment has no schedule to file."))
    number = (
        ArchiveVersion.objects.filter(commitment=locked).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = ArchiveVersion.objects.create(
        district_id=locked.district_id,
        commitment=locked,
        number=number,
        park=park,
        committee_id=park.committee_id,
        filed_by=user,
        filed_at=clock.now(),
        note=(note or "").strip()[:200],
        content=snapshot(locked, milestones),
    )
    locked.filed_version = number
    locked.changed_since_filing = False
    locked._history_user = user
    locked.save_new_version()
    log_event(
        user,
        "commitment.filed",
        locked,
        summary=_("Version %(n)s filed to %(committee)s")
        % {"n": number, "committee": park.committee},
        version=number,
        archive=version.pk,
    )
    notify(
        [u for u in _committee_users(park, park.committee) if u.pk != user.pk],
        "commitment.filed",
        _("%(department)s filed “%(title)s” (%(project)s), version %(n)s.")
        % {
            "department": locked.department,
            "title": locked.title,
            "project": project.name,
            "n": number,
        },
        url=version.get_absolute_url(),
    )
    return version


def compare_versions(old: dict, new: dict) -> dict:
    """The differences between two filed versions' contents: the commitment's fields
    (label, old, new, changed) and the milestones matched by their order (added, removed
    or changed, with the fields that changed)."""
    labels = {
        "title": _("Commitment"),
        "content": _("What is promised"),
        "clause": _("Agreement clause"),
        "department": _("Committing department"),
        "owner": _("Person responsible"),
        "obligation": _("Agreement obligation fulfilled"),
        "start_on": _("Planning from"),
        "target_on": _("Target date"),
    }

    def text(value) -> str:
        if isinstance(value, dict):
            return value.get("name", "")
        if value is None:
            return ""
        return str(value)

    a, b = old.get("commitment", {}), new.get("commitment", {})
    fields = [
        {
            "key": key,
            "label": label,
            "old": text(a.get(key)),
            "new": text(b.get(key)),
            "changed": text(a.get(key)) != text(b.get(key)),
        }
        for key, label in labels.items()
    ]
    milestone_labels = {
        "name": _("Milestone"),
        "duration_workdays": _("Working days"),
        "planned_start_on": _("Planned start"),
        "due_on": _("Due on"),
        "owner_department": _("Owner department"),
        "owner": _("Owner"),
    }
    by_seq_a = {m["seq"]: m for m in old.get("milestones", [])}
    by_seq_b = {m["seq"]: m for m in new.get("milestones", [])}
    rows = []
    for seq in sorted(set(by_seq_a) | set(by_seq_b)):
        ma, mb = by_seq_a.get(seq), by_seq_b.get(seq)
        cells = []
        for key, label in milestone_labels.items():
            va, vb = text(ma.get(key)) if ma else "", text(mb.get(key)) if mb else ""
            cells.append({"key": key, "label": label, "old": va, "new": vb, "changed": va != vb})
        state = (
            "added"
            if ma is None
            else "removed"
            if mb is None
            else ("changed" if any(c["changed"] for c in cells) else "same")
        )
        rows.append({"seq": seq, "state": state, "cells": cells})
    return {
        "fields": fields,
        "milestones": rows,
        "milestone_labels": list(milestone_labels.values()),
        "changed": any(f["changed"] for f in fields) or any(r["state"] != "same" for r in rows),
    }
