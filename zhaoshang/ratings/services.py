"""Recording the enterprise's rating of a service, and its follow-up.

``record_rating`` is the one writer of ``Rating`` rows: each domain app checks that its
record may be rated (closed case, answered need, answered complaint, visit carried out) and
that the user is the enterprise's own contact (or staff recording on its behalf), then
calls it inside its own transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import raise_errors
from zhaoshang.core.validators import NoMarkupValidator
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import supervisors
from zhaoshang.ratings.choices import FollowUp, Score, SubjectKind
from zhaoshang.ratings.models import Rating

REASON_MAX = 1000


def rating_errors(score: str, reason: str) -> dict[str, list[str]]:
    """Every problem of a rating form at once: the score, and the reason a 不满意 needs."""
    errors: dict[str, list[str]] = {}
    if score not in Score.values:
        errors["score"] = [_("Choose 满意, 基本满意 or 不满意.")]
    reason = (reason or "").strip()
    if score == Score.DISSATISFIED and not reason:
        errors["reason"] = [_("Say why you are not satisfied.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [
            _("The reason is %(n)d characters long; at most %(max)d.")
            % {"n": len(reason), "max": REASON_MAX}
        ]
    elif reason:
        try:
            NoMarkupValidator()(reason)
        except ValidationError as exc:
            errors["reason"] = list(exc.messages)
    return errors


def rating_of(kind: str, subject_id: int) -> Rating | None:
    return Rating.objects.filter(subject_kind=kind, subject_id=subject_id).first()


@transaction.atomic
def record_rating(
    user,
    *,
    kind: str,
    subject_id: int,
    district_id: int,
    enterprise_id: int,
    department_id: int,
    project_id: int | None = None,
    score: str,
    reason: str = "",
    label: str = "",
    rated_on: datetime.date | None = None,
) -> Rating:
    """Record the enterprise's rating of one record, once. ``label`` names the record in
    the supervision office's notice (e.g. the case number). A 不满意 opens a follow-up for
    the supervision office, which is told."""
    if kind not in SubjectKind.values:
        raise ValueError(f"unknown rating subject {kind!r}")
    errors = rating_errors(score, reason)
    if Rating.objects.filter(subject_kind=kind, subject_id=subject_id).exists():
        errors.setdefault("score", []).append(_("This has already been rated."))
    raise_errors(errors)
    rating = Rating.objects.create(
        district_id=district_id,
        subject_kind=kind,
        subject_id=subject_id,
        enterprise_id=enterprise_id,
        project_id=project_id,
        department_id=department_id,
        score=score,
        reason=(reason or "").strip(),
        rated_on=rated_on or clock.today(),
        rated_by=user,
        followup=FollowUp.OPEN if score == Score.DISSATISFIED else FollowUp.NOT_NEEDED,
    )
    log_event(
        user,
        "rating.recorded",
        rating,
        summary=f"{rating.get_subject_kind_display()} {label} {rating.get_score_display()}".strip(),
        project=project_id,
        department=department_id,
    )
    if score == Score.DISSATISFIED:
        notify(
            supervisors(district_id),
            "rating.recorded",
            _("An enterprise is not satisfied: %(what)s %(label)s")
            % {"what": rating.get_subject_kind_display(), "label": label},
            body=rating.reason,
            url=reverse("ratings:detail", args=[rating.pk]),
        )
    return rating
