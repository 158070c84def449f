"""Recording the enterprise's rating of a service, and its follow-up.

``record_rating`` is the one writer of ``Rating`` rows: each domain app checks that its
record may be rated (closed case, answered need, answered complaint, visit carried out) and
that the user is the enterprise's own contact (or staff recording on its behalf), then
calls it inside its own transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import STATUS_FIELD, lock_for_update, raise_errors, require
from zhaoshang.core.validators import NoMarkupValidator
from zhaoshang.notifications.services import notify
from zhaoshang.org.people import supervisors
from zhaoshang.ratings.choices import FollowUp, Score, SubjectKind
from zhaoshang.ratings.models import Rating

REASON_MAX = 1000
RATE_PLACES = Decimal("0.0001")


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


# ---------------------------------------------------------------------------------------
# The supervision office's follow-up of a 不满意

NOTE_MAX = 2000


def followup_errors(note: str, confirmed) -> dict[str, list[str]]:
    """Every problem of a follow-up form at once: the note, and whether the dissatisfaction
    was founded."""
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("Follow-up note: say what was done about the enterprise's view.")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [
            _("Follow-up note: it is %(n)d characters long; at most %(max)d.")
            % {"n": len(note), "max": NOTE_MAX}
        ]
    else:
        try:
            NoMarkupValidator()(note)
        except ValidationError as exc:
            errors["note"] = list(exc.messages)
    if confirmed not in (True, False):
        errors["confirmed"] = [
            _("Dissatisfaction founded: say whether the enterprise's dissatisfaction was founded.")
        ]
    return errors


def enterprise_contacts(enterprise_id: int) -> list:
    """The enterprise's active portal users."""
    from zhaoshang.core.roles import Role
    from zhaoshang.org.models import User

    return list(
        User.objects.filter(
            enterprise_id=enterprise_id, is_active=True, groups__name=Role.ENTERPRISE
        ).distinct()
    )


def follow_up(user, rating: Rating, *, note: str, confirmed: bool | None) -> Rating:
    """The supervision office records its follow-up of a 不满意: what was done (the note)
    and whether the dissatisfaction was founded. A founded one costs the department rated
    the points of the assessment's rule for it (the ledger's entry, dated today, in the
    year the rating was given). The enterprise is told in its inbox."""
    from zhaoshang.ratings import permissions

    require(permissions.can_follow_up(user, rating))
    errors = followup_errors(note, confirmed)
    with transaction.atomic():
        rating = lock_for_update(rating, select_related=("department", "enterprise"))
        if rating.followup != FollowUp.OPEN:
            errors.setdefault(STATUS_FIELD, []).append(
                _("This rating has no follow-up to record (it is “%(state)s”).")
                % {"state": rating.get_followup_display()}
            )
        raise_errors(errors)
        rating.followup = FollowUp.DONE
        rating.followup_note = note.strip()
        rating.followup_confirmed = confirmed
        rating.followed_up_on = clock.today()
        rating.followed_up_by = user
        rating.save()
        log_event(
            user,
            "rating.followed_up",
            rating,
            summary=rating.followup_note[:200],
            confirmed=confirmed,
            project=rating.project_id,
            department=rating.department_id,
        )
        if confirmed:
            from zhaoshang.assessment.models import RuleCode
            from zhaoshang.assessment.services import write_rule_entry
            from zhaoshang.ratings.subjects import attach_records

            attach_records([rating])  # the record as its pages name it (a complaint's number …)
            write_rule_entry(
                RuleCode.DISSATISFIED_RATING,
                rating.department,
                rating,
                _("Dissatisfied rating founded after follow-up: %(what)s %(id)s")
                % {
                    "what": rating.get_subject_kind_display(),
                    "id": rating.record_label or rating.subject_id,
                },
                rating.followed_up_on,
                due_on=rating.rated_on,
            )
        notify(
            enterprise_contacts(rating.enterprise_id),
            "rating.followed_up",
            _("The supervision office has followed up your rating: %(what)s")
            % {"what": rating.get_subject_kind_display()},
            body=rating.followup_note,
            url=reverse("portal:ratings"),
        )
    return rating


# ---------------------------------------------------------------------------------------
# Satisfaction per department (好评率)


@dataclass(frozen=True)
class Satisfaction:
    """One department's ratings in a period: 好评率 = (满意 + 基本满意) ÷ ratings, None when
    nobody rated it."""

    department_id: int | None
    department: str
    rated: int
    satisfied: int
    fairly: int
    dissatisfied: int

    @property
    def rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.satisfied + self.fairly) / Decimal(self.rated)).quantize(
            RATE_PLACES, ROUND_HALF_UP
        )


def satisfaction(district_id: int, start: datetime.date, end: datetime.date) -> list[Satisfaction]:
    """Per department of the district that was rated from ``start`` to ``end`` (both
    included; a period's figures as of its end: a rating is dated the day it was given and
    never changes), in one aggregate query, the best rate first (ties by the departments'
    order)."""
    # Grouped by department and score off the ratings (a simpler statement to build than
    # four filtered counts per department: a part of the KPI page's work, issue 19.2).
    rows = (
        Rating.objects.filter(
            department__district_id=district_id, rated_on__gte=start, rated_on__lte=end
        )
        .values_list("department__sort_order", "department_id", "department__name", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, int], tuple[str, dict]] = {}
    for sort_order, pk, name, score, n in rows:
        counts.setdefault((sort_order, pk), (name, {}))[1][score] = n
    out = [
        Satisfaction(
            pk,
            name,
            sum(by_score.values()),
            by_score.get(Score.SATISFIED, 0),
            by_score.get(Score.FAIRLY, 0),
            by_score.get(Score.DISSATISFIED, 0),
        )
        for (_order, pk), (name, by_score) in sorted(counts.items())  # the departments' order
    ]
    out.sort(key=lambda s: -s.rate)  # stable: equal rates keep the departments' order
    return out


def satisfaction_total(rows: Iterable[Satisfaction]) -> Satisfaction:
    """The district's figure: the sum of its departments'."""
    rows = list(rows)
    return Satisfaction(
        None,
        "",
        sum(r.rated for r in rows),
        sum(r.satisfied for r in rows),
        sum(r.fairly for r in rows),
        sum(r.dissatisfied for r in rows),
    )
