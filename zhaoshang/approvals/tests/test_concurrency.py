"""Two handlers accept the same case at the same moment, on PostgreSQL with real
concurrent connections: one succeeds, the other is told, nothing is overwritten."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from zhaoshang.approvals import services
from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.tests.conftest import day


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL"
)
@pytest.mark.parametrize("with_version", [True, False])
def test_two_handlers_accept_the_same_case_at_once(committed_db, with_version):
    from django.contrib.auth.models import Group

    from zhaoshang.org.models import User

    world = committed_db
    items = {i.code: i for i in seed_catalogue(world.district_a)}
    item = items["XM-01"]
    group = Group.objects.get(name="department")
    handlers = []
    for n in range(2):
        user = User.objects.create(
            username=f"h{n}", district=world.district_a, department=item.department
        )
        user.groups.add(group)
        handlers.append(user)
    case = services.register_case(world.user_service_center, world.project1_a, item)
    case = services.mark_materials_complete(handlers[0], case, day("2026-06-15"))
    version = case.version

    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def accept(user):
        try:
            barrier.wait(timeout=10)
            fresh = ApprovalCase.objects.get(pk=case.pk)
            services.accept_case(
                user, fresh, day("2026-06-15"), expected_version=version if with_version else None
            )
            results[user.username] = "ok"
        except ValidationError as exc:
            results[user.username] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in handlers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    outcomes = sorted(results.values(), key=lambda r: r != "ok")
    assert outcomes[0] == "ok"
    refused = outcomes[1]
    assert isinstance(refused, ValidationError)
    if with_version:
        assert refused.code == "concurrent_edit"
    else:
        assert refused.error_dict["status"][0].code == "already_accepted"
    case.refresh_from_db()
    winner = next(name for name, r in results.items() if r == "ok")
    assert case.status == CaseStatus.ACCEPTED and case.handler.username == winner
    assert case.version == version + 1
