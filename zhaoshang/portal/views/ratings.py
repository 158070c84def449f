"""My ratings (好差评): what the enterprise has rated — the score, its reason and the
supervision office's follow-up once recorded — and what it can still rate: its approval
cases done, needs resolved, complaints answered and inspection visits carried out that
have no rating yet. Each record links to its own page of the service hall, where it is
rated.

Rows are the enterprise's own (``enterprise_id``): the page reads nothing of another
enterprise. A constant number of queries: the ratings, one query per kind of record they
rate, one per kind of record to rate."""

from __future__ import annotations

import datetime

from django.shortcuts import render

from zhaoshang.core.views_helpers import paginate
from zhaoshang.portal.access import portal_view
from zhaoshang.ratings.choices import SubjectKind
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.subjects import SUBJECTS, attach_records, portal_url, to_rate

# At most this many records of each kind are listed to rate (the most recently closed).
TO_RATE_LIMIT = 50


def enterprise_ratings(user):
    """The enterprise's ratings, the latest first."""
    return (
        Rating.objects.of_enterprise(user.enterprise_id)
        .select_related("department", "project")
        .order_by("-rated_on", "-id")
    )


def still_to_rate(user) -> list[dict]:
    """The enterprise's records ready to rate and not rated, the most recently closed
    first: {kind, label, department, closed_on, url}."""
    rows = []
    for kind, subject in SUBJECTS.items():
        for record in to_rate(user.enterprise_id, kind)[:TO_RATE_LIMIT]:
            rows.append(
                {
                    "kind": SubjectKind(kind).label,
                    "label": subject.label(record),
                    "department": _department_name(record, kind),
                    "closed_on": record.closed_date,
                    "url": portal_url(subject.portal_name, record.pk),
                }
            )
    rows.sort(key=lambda row: row["closed_on"] or datetime.date.min, reverse=True)
    return rows


def _department_name(record, kind: str) -> str:
    if kind == SubjectKind.VISIT:
        return record.request.department.name
    return record.department.name


@portal_view
def ratings(request):
    page = paginate(request, enterprise_ratings(request.user))
    attach_records(page.object_list)
    for rating in page.object_list:
        rating.portal_url = portal_url(SUBJECTS[rating.subject_kind].portal_name, rating.subject_id)
    return render(
        request,
        "portal/ratings.html",
        {"page": page, "to_rate": still_to_rate(request.user)},
    )
