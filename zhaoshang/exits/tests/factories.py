"""Exit warnings for tests: land delivered on a project, warnings raised by the service."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.exits import services
from zhaoshang.exits.choices import RuleCode
from zhaoshang.exits.models import ExitRule
from zhaoshang.projects.choices import Stage

DELIVERED = datetime.date(2026, 2, 10)  # three months later: 2026-05-10, before FROZEN_NOW


def pdf(name: str = "通知书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 exit step", content_type="application/pdf")


def deliver(project, on: datetime.date = DELIVERED, **dates):
    """Record the land delivery (and any other stage dates) on ``project``."""
    project.land_delivered_on = on
    project.stage = Stage.LAND_DELIVERED
    for name, value in dates.items():
        setattr(project, name, value)
    project.save()
    return project


def rule(district, code: str = RuleCode.NOT_STARTED) -> ExitRule:
    services.ensure_default_rules(district)
    return ExitRule.objects.get(district=district, code=code)


def make_warning(
    world,
    tag: str = "a",
    *,
    project=None,
    on=DELIVERED,
    code=RuleCode.NOT_STARTED,
    raised_on=None,
):
    """A 三个月不开工 warning of project1 of the district (land delivered on ``on``)."""
    project = deliver(project or getattr(world, f"project1_{tag}"), on)
    return services.raise_warning(project, rule(project.district, code), raised_on=raised_on)
