"""The enterprise's rating (好差评) of a closed approval case: once the case is done (办结),
a contact of the project's enterprise rates it once — 满意, 基本满意 or 不满意 with a
reason. ``ratings.services.record_rating`` writes it; this module checks that the case may
be rated by this user."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.core.services import add_errors, raise_errors, require, status_error
from zhaoshang.ratings import services as ratings
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.models import Rating


def may_rate(user, case: ApprovalCase) -> bool:
    """A contact of the case's enterprise rates it (staff rate nothing here)."""
    return bool(
        getattr(user, "enterprise_id", None) and user.enterprise_id == case.project.enterprise_id
    )


def case_rating(case: ApprovalCase) -> Rating | None:
    """The enterprise's rating of the case, if it has rated it."""
    return ratings.rating_of(SubjectKind.CASE, case.pk)


@transaction.atomic
def rate_case(user, case: ApprovalCase, *, score: str, reason: str = "") -> Rating:
    """The enterprise rates a case once it is done: every problem of the rating (the
    score, the reason a 不满意 needs, a case not done yet, a case already rated) in one
    answer. The case's handling department is the one rated."""
    case = (
        ApprovalCase.objects.select_for_update(of=("self",))
        .select_related("project", "item")
        .get(pk=case.pk)
    )
    require(may_rate(user, case))
    errors = ratings.rating_errors(score, reason)
    if case.status != CaseStatus.DONE:
        add_errors(
            errors,
            status_error(
                _("The case is “%(status)s”: it can be rated once it is done.")
                % {"status": case.get_status_display()}
            ),
        )
    if Rating.objects.filter(subject_kind=SubjectKind.CASE, subject_id=case.pk).exists():
        errors.setdefault("score", []).append(_("This has already been rated."))
    raise_errors(errors)
    return ratings.record_rating(
        user,
        kind=SubjectKind.CASE,
        subject_id=case.pk,
        district_id=case.district_id,
        enterprise_id=case.project.enterprise_id,
        department_id=case.department_id,
        project_id=case.project_id,
        score=score,
        reason=reason,
        label=f"{case.project.code} · {case.item.name}",
    )
