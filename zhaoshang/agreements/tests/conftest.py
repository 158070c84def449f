"""Fixtures of the agreement tests: agreements, obligations and commitments made through the
services as the people of the test world (today is 2026-06-15, a Monday; project1_a was
signed on 2026-03-02)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhaoshang.agreements import services
from zhaoshang.agreements.schedule import Step
from zhaoshang.projects.models import Project

PDF = b"%PDF-1.4 evidence"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def standard_terms(**overrides) -> dict:
    terms = {
        "start_by": day("2026-09-30"),
        "completion_by": day("2027-09-30"),
        "production_by": day("2027-12-31"),
        "intensity": Decimal("200"),
        "intensity_by": day("2027-12-31"),
        "tax": Decimal("1500"),
        "tax_by": day("2028-12-31"),
        "jobs": 300,
        "jobs_by": day("2028-06-30"),
        "output": None,
        "output_by": None,
        "energy": "单位产值能耗不高于0.35吨标准煤/万元",
        "energy_by": day("2028-06-30"),
    }
    terms.update(overrides)
    return terms


def header(project: Project, **overrides) -> dict:
    fields = {
        "number": f"TZXY-{project.code}",
        "signed_on": project.signed_on or day("2026-03-02"),
        "government_party": "测试区人民政府",
        "enterprise_party": project.enterprise.name if project.enterprise_id else "投资方",
        "other_parties": "",
        "contracted_investment": Decimal("50000"),
        "land_area": Decimal("200"),
        "service_clauses": "甲方负责交付净地并完成三通一平。",
    }
    fields.update(overrides)
    return fields


def agreement_post(project: Project, schedule=(), **header_overrides) -> dict:
    """The agreement page's POST: the header and the standard terms (blank ones left out)
    and the investment schedule rows ``[(due_on text, amount text), …]``."""
    data = {
        **{k: v for k, v in header(project, **header_overrides).items() if v is not None},
        **{k: v for k, v in standard_terms().items() if v is not None},
        "schedule-TOTAL_FORMS": str(len(schedule)),
        "schedule-INITIAL_FORMS": "0",
    }
    for n, (due_on, amount) in enumerate(schedule):
        data[f"schedule-{n}-due_on"], data[f"schedule-{n}-amount"] = due_on, amount
    return data


@pytest.fixture(autouse=True)
def _english_messages():
    """Services answer in the active language; the tests read the English messages."""
    with translation.override("en"):
        yield


SCHEDULE = [(day("2026-05-31"), Decimal("1000")), (day("2026-12-31"), Decimal("20000"))]


@pytest.fixture
def make_agreement(world):
    """make_agreement(project=project1_a, user=bureau, terms=…, schedule=…) via the service."""

    def make(project=None, user=None, terms=None, schedule=None, **fields):
        project = project or world.project1_a
        if project.signed_on is None:
            Project.objects.filter(pk=project.pk).update(
                signed_on=day("2026-03-02"), stage="signed"
            )
            project.refresh_from_db()
        user = user or (
            world.user_bureau if project.district_id == world.district_a.pk else world.user_bureau_b
        )
        return services.save_agreement(
            user,
            project,
            fields=header(project, **fields),
            terms=terms if terms is not None else standard_terms(),
            schedule=schedule if schedule is not None else SCHEDULE,
        )

    return make


@pytest.fixture
def make_commitment(world):
    """make_commitment(project, department, user, steps=…, target_on=…) via the service."""

    def make(project=None, department=None, user=None, steps=None, **fields):
        project = project or world.project1_a
        tag = "a" if project.district_id == world.district_a.pk else "b"
        department = department or getattr(world, f"dept_works_{tag}")
        user = user or getattr(world, "user_bureau" if tag == "a" else "user_bureau_b")
        values = {
            "title": "施工许可办理服务承诺",
            "content": "在项目开工前完成施工许可证核发。",
            "clause": "第七条第二款",
            "start_on": day("2026-06-01"),
            "target_on": day("2026-07-31"),
        }
        values.update(fields)
        return services.create_commitment(
            user,
            project,
            department=department,
            steps=steps
            or [Step("施工图审查", 10), Step("质量安全监督备案", 5), Step("施工许可核发", 5)],
            **values,
        )

    return make
