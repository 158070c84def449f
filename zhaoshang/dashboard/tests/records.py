"""Records the home tests add to the world (receipts addressed to a leader), and the request
a home is read for."""

from __future__ import annotations

import datetime

from django.test import RequestFactory

from zhaoshang.testing.world import FROZEN_NOW


def make_receipt(world, addressee, n: int = 1, project=None):
    from zhaoshang.service.choices import ReceiptResult
    from zhaoshang.service.models import Receipt

    project = project or world.project1_a
    return Receipt.objects.create(
        district_id=project.district_id,
        number=f"HZ-2026-9{n:03d}",
        project=project,
        visited_on=datetime.date(2026, 6, 12),
        department=world.dept_works_a,
        handler_name="王建国",
        matter=f"施工许可{n}",
        work_done="递交材料",
        result=ReceiptResult.IN_PROGRESS,
        filed_by=world.user_secretary,
        filed_at=FROZEN_NOW,
        addressee=addressee,
    )


def request_as(user):
    """A GET of "/" by ``user``: what a home's parts read."""
    request = RequestFactory().get("/")
    request.user = user
    return request
