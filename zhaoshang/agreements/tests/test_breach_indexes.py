"""A department's deletion finds its breaches (``PROTECT``) off ``breach_department``, which
holds only the breaches with a department: an enterprise's breaches, two in three of those
the daily scan records, have none and are not written into it. The project's and the
enterprise's are not indexed (no read finds breaches by them): their deletion's check reads
the breaches whole, and still refuses."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from zhaoshang.agreements.models import ObligationBreach
from zhaoshang.testing.plans import reads_index


def test_a_department_s_deletion_finds_its_breaches_off_the_partial_index(db):
    found = ObligationBreach.objects.filter(department__in=[1, 2])
    assert reads_index(found, "breach_department")


@pytest.mark.parametrize("parent", ["project", "enterprise"])
def test_a_project_or_enterprise_with_a_breach_is_not_deleted(world, make_agreement, parent):
    agreement = make_agreement()
    obligation = agreement.obligations.order_by("id").first()
    project = agreement.project
    breach = ObligationBreach.objects.create(
        district=world.district_a,
        obligation=obligation,
        project=project,
        enterprise=project.enterprise,
        party=obligation.party,
        department=obligation.department,
        due_on=obligation.due_on,
        occurred_on=obligation.due_on,
    )
    with pytest.raises(ProtectedError) as refused:
        getattr(breach, parent).delete()
    assert breach in refused.value.protected_objects
    fields = {f.name: f for f in ObligationBreach._meta.fields}
    assert not fields["project"].db_index and not fields["enterprise"].db_index
