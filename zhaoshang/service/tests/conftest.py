"""Fixtures of the service tests: a receipt's valid content and records made through the
services, as the people of the test world."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.service import services
from zhaoshang.service.choices import NeedCategory, ReceiptResult


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages and pages in English (the second locale); the Chinese
    catalogue's completeness is checked by core's catalogue test."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def receipt_data(world):
    def make(project=None, **overrides):
        project = project or world.project1_a
        data = {
            "visited_on": day("2026-06-12"),
            "department": world.dept_works_a
            if project.district_id == world.district_a.pk
            else world.dept_works_b,
            "handler_name": "王建国",
            "matter": "施工许可证办理咨询",
            "work_done": "提交施工图审查合格书，窗口确认材料齐全",
            "result": ReceiptResult.IN_PROGRESS,
            "problems": "",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def file_receipt(world, receipt_data):
    """file_receipt(user=secretary, project=project1_a, **overrides) through the service."""

    def make(user=None, project=None, **overrides):
        project = project or world.project1_a
        user = user or (world.user_secretary if project == world.project1_a else None)
        return services.file_receipt(user, project, **receipt_data(project, **overrides))

    return make


@pytest.fixture
def raise_need(world):
    def make(user=None, project=None, **overrides):
        project = project or world.project1_a
        data = {
            "category": NeedCategory.UTILITIES,
            "title": "厂区临时用电接入",
            "description": "施工临时用电需新增一台 800kVA 变压器，供电方案尚未批复。",
            "department": world.dept_works_a,
            "due_workdays": 5,
        }
        data.update(overrides)
        return services.raise_need(user or world.user_secretary, project, **data)

    return make
