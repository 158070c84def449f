"""Receipts filed at the same moment by the team of two projects get distinct, gapless
numbers: HZ-YYYY-NNNN is taken from the district's counter inside the filing transaction,
on PostgreSQL with real concurrent connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from zhaoshang.service import services
from zhaoshang.service.models import Receipt
from zhaoshang.service.tests.conftest import day

WRITERS = 6


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL"
)
def test_concurrent_receipts_get_distinct_consecutive_numbers(committed_db):
    world = committed_db
    team = [world.user_manager, world.user_secretary, world.user_officer]
    barrier = threading.Barrier(WRITERS)
    results: list[object] = []
    lock = threading.Lock()

    def file(n: int) -> None:
        try:
            from zhaoshang.org.models import Department, User
            from zhaoshang.projects.models import Project

            user = User.objects.get(pk=team[n % len(team)].pk)
            project = Project.objects.get(pk=world.project1_a.pk)
            department = Department.objects.get(pk=world.dept_works_a.pk)
            barrier.wait(timeout=10)
            receipt = services.file_receipt(
                user,
                project,
                visited_on=day("2026-06-12"),
                department=department,
                handler_name="王建国",
                matter=f"并发事项{n}",
                work_done="办理",
                result="in_progress",
            )
            outcome: object = receipt.number
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    expected = [f"HZ-2026-{n:04d}" for n in range(1, WRITERS + 1)]
    assert sorted(results) == expected
    assert sorted(Receipt.objects.values_list("number", flat=True)) == expected
