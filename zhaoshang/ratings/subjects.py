"""What each kind of rating rates: the domain record behind ``Rating.subject_kind`` and
``subject_id``, how it is named and linked on the staff pages and in the portal, and which
of an enterprise's records are ready to be rated (a case done, a need resolved, a
complaint answered, a visit carried out).

The domain apps own their records and their rate functions; this table only reads them,
by app label, so that the ratings app imports none of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import DateField, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from zhaoshang.ratings.choices import SubjectKind


@dataclass(frozen=True)
class Subject:
    kind: str
    model_label: str  # "app_label.Model"
    enterprise_path: str  # how a record reaches its enterprise
    related: tuple[str, ...]  # read with the record to name it
    rateable: Callable[[], Q]  # a record of the enterprise that may be rated
    closed_on: tuple[str, ...]  # the date it was done / answered / carried out (first set)
    portal_name: str  # its page in the service hall
    label: Callable[[object], str]
    department_id: Callable[[object], int]

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def staff_url(self, record) -> str:
        return record.get_absolute_url()


def _case_label(case) -> str:
    return f"{case.project.code} · {case.item.name}"


def _visit_label(visit) -> str:
    return f"{visit.request.number} · {visit.request.department.name}"


SUBJECTS: dict[str, Subject] = {
    SubjectKind.CASE: Subject(
        kind=SubjectKind.CASE,
        model_label="approvals.ApprovalCase",
        enterprise_path="project__enterprise",
        related=("project", "item", "department"),
        rateable=lambda: Q(status="done"),
        closed_on=("done_on",),
        portal_name="portal:case",
        label=_case_label,
        department_id=lambda case: case.department_id,
    ),
    SubjectKind.NEED: Subject(
        kind=SubjectKind.NEED,
        model_label="service.Need",
        enterprise_path="project__enterprise",
        related=("project", "department"),
        # answered: solved, or closed with a reason (service's ``can_be_rated``)
        rateable=lambda: Q(status__in=("resolved", "closed")),
        closed_on=("resolved_on", "closed_on"),
        portal_name="portal:need",
        label=lambda need: f"{need.number} {need.title}",
        department_id=lambda need: need.department_id,
    ),
    SubjectKind.COMPLAINT: Subject(
        kind=SubjectKind.COMPLAINT,
        model_label="complaints.Complaint",
        enterprise_path="enterprise",
        related=("project", "department"),
        rateable=lambda: Q(status="answered"),
        closed_on=("found_on",),
        portal_name="portal:complaint",
        label=lambda complaint: complaint.number,
        department_id=lambda complaint: complaint.department_id,
    ),
    SubjectKind.VISIT: Subject(
        kind=SubjectKind.VISIT,
        model_label="inspections.InspectionVisit",
        enterprise_path="enterprise",
        related=("request__department",),
        rateable=lambda: Q(carried_out_on__isnull=False),
        closed_on=("carried_out_on",),
        portal_name="portal:inspection",
        label=_visit_label,
        department_id=lambda visit: visit.request.department_id,
    ),
}


def portal_url(name: str, pk: int) -> str:
    """The record's page in the service hall (where the enterprise rates it)."""
    return reverse(name, args=[pk])


def records_of(ratings: Iterable) -> dict[tuple[str, int], object]:
    """The records the ratings rate, by (kind, id): one query per kind present (at most
    four, whatever the number of ratings)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for rating in ratings:
        wanted[rating.subject_kind].add(rating.subject_id)
    found: dict[tuple[str, int], object] = {}
    for kind, ids in wanted.items():
        subject = SUBJECTS[kind]
        for record in subject.model._base_manager.select_related(*subject.related).filter(
            pk__in=ids
        ):
            found[(kind, record.pk)] = record
    return found


def attach_records(ratings: list) -> list:
    """Give each rating its ``record`` (None when it is gone) and ``record_label``."""
    records = records_of(ratings)
    for rating in ratings:
        record = records.get((rating.subject_kind, rating.subject_id))
        rating.record = record
        rating.record_label = (
            SUBJECTS[rating.subject_kind].label(record) if record is not None else ""
        )
    return ratings


def to_rate(enterprise_id: int, kind: str):
    """The enterprise's records of ``kind`` ready to be rated and not rated yet, the most
    recently closed first (``closed_date``: the day it was done, answered or carried
    out)."""
    from zhaoshang.ratings.models import Rating

    subject = SUBJECTS[kind]
    rated = Rating.objects.filter(subject_kind=kind, subject_id=OuterRef("pk"))
    return (
        subject.model._base_manager.filter(subject.rateable())
        .filter(**{f"{subject.enterprise_path}_id": enterprise_id})
        .filter(~Exists(rated))
        .select_related(*subject.related)
        .annotate(closed_date=_first_date(subject.closed_on))
        .order_by(F("closed_date").desc(nulls_last=True), "-pk")
    )


def _first_date(fields: tuple[str, ...]):
    if len(fields) == 1:
        return F(fields[0])
    return Coalesce(*fields, output_field=DateField())
