"""Ledger data for the assessment tests, written straight to the tables (the services are
tested on their own)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.assessment.models import LedgerEntry, Objection

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_entry(
    department,
    points="-1",
    *,
    year: int = 2026,
    reason: str = "逾期办结",
    occurred_on: datetime.date | None = None,
    with_file: bool = True,
    created_by=None,
) -> LedgerEntry:
    entry = LedgerEntry(
        district_id=department.district_id,
        department=department,
        year=year,
        points=Decimal(points),
        reason=reason,
        occurred_on=occurred_on or datetime.date(year, 3, 1),
        created_by=created_by,
    )
    if with_file:
        entry.evidence_name = "evidence.pdf"
        entry.evidence_file.save("evidence.pdf", pdf(), save=False)
    entry.save()
    return entry


def make_objection(entry, filed_by, reason: str = "已按时办结", with_file: bool = True):
    objection = Objection(
        district_id=entry.district_id,
        entry=entry,
        department_id=entry.department_id,
        year=entry.year,
        reason=reason,
        filed_by=filed_by,
    )
    if with_file:
        objection.file_name = "objection.pdf"
        objection.file.save("objection.pdf", pdf("objection.pdf"), save=False)
    objection.save()
    return objection
