"""A department's deletion finds its breaches (``PROTECT``) off ``breach_department``, which
holds only the breaches with a department: an enterprise's breaches, two in three of those
the daily scan records, have none and are not written into it."""

from __future__ import annotations

from zhaoshang.agreements.models import ObligationBreach
from zhaoshang.testing.plans import reads_index


def test_a_department_s_deletion_finds_its_breaches_off_the_partial_index(db):
    found = ObligationBreach.objects.filter(department__in=[1, 2])
    assert reads_index(found, "breach_department")
