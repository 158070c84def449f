"""The enterprise's own needs (企业诉求, SPEC §7, the service hall): raised by its contact
for one of its projects, with files, to the department it names or else to the district's
investment promotion bureau (招商局), which passes it on (``update_need``); and the
enterprise's rating of the answer (好差评)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import add_errors, gather, lock_for_update, raise_errors, require
from zhaoshang.core.validators import check_upload
from zhaoshang.org.models import Department
from zhaoshang.org.people import investment_bureaus
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.services import rating_errors, record_rating
from zhaoshang.service import permissions
from zhaoshang.service.choices import CLOSED_NEED_STATUSES, RaisedVia
from zhaoshang.service.models import Need, NeedAttachment
from zhaoshang.service.services.needs import need_content, raise_need

# The time limit of a need the enterprise raises (working days): the department it goes to
# answers within it; the bureau may change it when it passes the need on (update_need).
ENTERPRISE_NEED_WORKDAYS = 5
# Files one need may carry from the service hall.
MAX_NEED_FILES = 5


def investment_bureau(district_id) -> Department | None:
    """The district's investment promotion bureau (招商局): ``org.people``'s rule (the
    department its bureau-role people belong to)."""
    return investment_bureaus([district_id])[district_id]


def _files_errors(files: list, errors: dict) -> None:
    if len(files) > MAX_NEED_FILES:
        errors.setdefault("attachments", []).append(
            _("Attach at most %(max)s files; you chose %(n)s.")
            % {"max": MAX_NEED_FILES, "n": len(files)}
        )
    for uploaded in files:
        gather(errors, check_upload, "attachments", uploaded)


@transaction.atomic
def raise_enterprise_need(
    user,
    project,
    *,
    category: str,
    title: str,
    description: str,
    department=None,
    files: Iterable = (),
) -> Need:
    """The enterprise raises a need for its project (origin 企业门户): to ``department``,
    or, left to the government, to the district's investment promotion bureau; due
    ``ENTERPRISE_NEED_WORKDAYS`` working days from today. Every problem of the form, its
    files' included, is said at once; nothing is kept unless all is well."""
    if project is None:  # the form's problems are said with the missing project's
        require(roles.is_contact_of(user, user.enterprise_id))
    else:
        require(permissions.can_raise_need(user, project))
    files = [f for f in files if f is not None]
    errors: dict = {}
    _files_errors(files, errors)
    content = {"category": category, "title": title, "description": description}
    if project is None:
        errors["project"] = [_("Choose the project the need is about.")]
        content |= {"department": department, "due_workdays": ENTERPRISE_NEED_WORKDAYS}
        need_content(user.district_id, content, errors)
        if department is None:  # left to the government: not a problem of the form
            errors.pop("department", None)
        raise_errors(errors)
    no_bureau = (
        department is None and (department := investment_bureau(project.district_id)) is None
    )
    try:
        need = raise_need(
            user,
            project,
            raised_via=RaisedVia.ENTERPRISE,
            **content,
            department=department,
            due_workdays=ENTERPRISE_NEED_WORKDAYS,
        )
    except ValidationError as exc:
        add_errors(errors, exc)
    if no_bureau:
        errors["department"] = [
            _("Choose the department concerned: the district has no investment bureau.")
        ]
    raise_errors(errors)  # (a need written before a file was refused is rolled back)
    for uploaded in files:
        attachment = NeedAttachment(need=need, original_name=uploaded.name[:200], uploaded_by=user)
        attachment.file.save(uploaded.name, uploaded, save=False)
        attachment.save()
        log_event(user, "need.attachment_added", need, summary=attachment.original_name)
    return need


def can_be_rated(need: Need) -> bool:
    """The need has had its answer: solved, or closed with a reason."""
    return need.status in CLOSED_NEED_STATUSES


@transaction.atomic
def rate_need(user, need: Need, *, score: str, reason: str = "") -> Rating:
    """The enterprise rates the answer to its need, once: 满意/基本满意/不满意 (a reason
    when not satisfied) — the assigned department's rating (好差评)."""
    require(permissions.can_rate_need(user, need))
    need = lock_for_update(need, select_related=("project",))
    if not can_be_rated(need):
        errors = {"status": [_("The need can be rated once it has been answered.")]}
        raise_errors({**errors, **rating_errors(score, reason)})
    return record_rating(
        user,
        kind=SubjectKind.NEED,
        subject_id=need.pk,
        district_id=need.district_id,
        enterprise_id=need.project.enterprise_id,
        department_id=need.department_id,
        project_id=need.project_id,
        score=score,
        reason=reason,
        label=need.number,
    )
