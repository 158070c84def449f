"""A district administrator's list of breaches in the admin (newest first) is read off
``breach_district_recent`` in that order (issue 19.3), not every breach filtered by district
and sorted whole."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.agreements.models import ObligationBreach
from zhaoshang.testing.plans import plan, reads_index


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_a_district_s_breaches_are_listed_off_the_district_s_index(
    admin_client, world, make_agreement
):
    agreement = make_agreement()
    obligations = list(agreement.obligations.order_by("id"))
    for obligation in obligations:
        ObligationBreach.objects.create(
            district=world.district_a,
            obligation=obligation,
            project=agreement.project,
            party=obligation.party,
            department=obligation.department,
            due_on=obligation.due_on,
            occurred_on=obligation.due_on,
        )
    response = admin_client.get(reverse("admin:agreements_obligationbreach_changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == len(obligations) > 0
    assert reads_index(changelist.result_list, "breach_district_recent")
    found = plan(changelist.result_list)
    assert "TEMP B-TREE" not in found and "Sort" not in found
