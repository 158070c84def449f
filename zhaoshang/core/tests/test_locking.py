"""``lock_for_update``: the row re-read under the lock, the related rows the caller holds
handed over instead of joined again, and a stale writer refused."""

from __future__ import annotations

import pytest
from django.db import transaction

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.tests.pages import make_case
from zhaoshang.core.exceptions import ConcurrentEditError
from zhaoshang.core.services import lock_for_update

RELATED = ("item", "project", "department")

pytestmark = pytest.mark.django_db


def test_related_rows_held_by_the_caller_are_handed_over(world, django_assert_num_queries):
    case = ApprovalCase.objects.select_related(*RELATED).get(pk=make_case(world).pk)
    with transaction.atomic(), django_assert_num_queries(1) as ctx:
        locked = lock_for_update(case, case.version, select_related=RELATED)
        assert locked.item is case.item and locked.project is case.project
        assert locked.department is case.department
    assert " JOIN " not in ctx.captured_queries[0]["sql"]


def test_missing_related_rows_are_joined(world, django_assert_num_queries):
    case = ApprovalCase.objects.select_related("item").get(pk=make_case(world).pk)
    with transaction.atomic(), django_assert_num_queries(1):
        locked = lock_for_update(case, select_related=RELATED)
        assert locked.item is case.item
        assert (
            locked.project == world.project1_a and locked.department.pk == case.item.department_id
        )


def test_a_row_that_points_elsewhere_now_loads_the_new_row(world):
    case = ApprovalCase.objects.select_related(*RELATED).get(pk=make_case(world).pk)
    ApprovalCase.objects.filter(pk=case.pk).update(project=world.project2_a)
    with transaction.atomic():
        locked = lock_for_update(case, select_related=RELATED)
    assert locked.project == world.project2_a and locked.project is not case.project
    assert locked.item is case.item


def test_a_stale_version_is_refused(world):
    case = make_case(world)
    ApprovalCase.objects.filter(pk=case.pk).update(version=case.version + 1)
    with transaction.atomic(), pytest.raises(ConcurrentEditError):
        lock_for_update(case, case.version, select_related=RELATED)
