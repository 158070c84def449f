"""Ratings for tests, written through ``record_rating`` (the one writer)."""

from __future__ import annotations

import itertools

from zhaoshang.ratings.services import record_rating

_ids = itertools.count(900_000)


def make_rating(
    world,
    tag: str = "a",
    *,
    score: str = "dissatisfied",
    reason: str = "答复敷衍，问题没有解决。",
    kind: str = "complaint",
    subject=None,
    project=None,
    department=None,
    rated_on=None,
    by=None,
):
    """A rating of district ``tag``: project1's enterprise rating 建设局 unless told
    otherwise; ``subject`` is the record rated (else an id no record has)."""
    suffix = "" if tag == "a" else "_b"
    project = project or getattr(world, f"project1_{tag}")
    department = department or getattr(world, f"dept_works_{tag}")
    return record_rating(
        by or getattr(world, f"user_enterprise{suffix}"),
        kind=kind,
        subject_id=subject.pk if subject is not None else next(_ids),
        district_id=project.district_id,
        enterprise_id=project.enterprise_id,
        department_id=department.pk,
        project_id=project.pk,
        score=score,
        reason=reason if score == "dissatisfied" else "",
        label=getattr(subject, "number", ""),
        rated_on=rated_on,
    )
