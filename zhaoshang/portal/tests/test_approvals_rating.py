"""``approvals.services.rate_case``: a done case of the user's enterprise is rated once;
every problem of a rating is named at once; nothing is written when it is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.core.services import STATUS_FIELD
from zhaoshang.notifications.models import Notification
from zhaoshang.portal.tests.approvals_cases import done_case, register
from zhaoshang.ratings.models import Rating


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_done_case_is_rated_for_its_department(world):
    case = done_case(world)
    rating = services.rate_case(world.user_enterprise, case, score="satisfied", reason="")
    assert (rating.subject_kind, rating.subject_id) == ("case", case.pk)
    assert rating.department_id == case.department_id
    assert rating.enterprise_id == world.enterprise1_a.pk
    assert rating.project_id == world.project1_a.pk
    assert services.case_rating(case) == rating


def test_every_problem_at_once_and_nothing_written(world):
    case = register(world, world.project1_a, "XM-01")  # not done
    with pytest.raises(ValidationError) as exc:
        services.rate_case(world.user_enterprise, case, score="", reason="<b>差</b>")
    errors = exc.value.message_dict
    assert "score" in errors and STATUS_FIELD in errors and "reason" in errors
    assert not Rating.objects.exists()


def test_dissatisfied_needs_a_reason_then_goes_to_the_supervision_office(world):
    case = done_case(world)
    with pytest.raises(ValidationError) as exc:
        services.rate_case(world.user_enterprise, case, score="dissatisfied", reason=" ")
    assert list(exc.value.message_dict) == ["reason"]
    services.rate_case(world.user_enterprise, case, score="dissatisfied", reason="多次退改")
    assert Notification.objects.filter(verb="rating.recorded").exists()


def test_rated_once_only(world):
    case = done_case(world)
    services.rate_case(world.user_enterprise, case, score="fairly")
    with pytest.raises(ValidationError) as exc:
        services.rate_case(world.user_enterprise, case, score="satisfied")
    assert "This has already been rated." in exc.value.message_dict["score"]
    assert Rating.objects.count() == 1


def test_not_before_done(world):
    case = register(world, world.project1_a, "XM-01")
    with pytest.raises(ValidationError) as exc:
        services.rate_case(world.user_enterprise, case, score="satisfied")
    assert list(exc.value.message_dict) == [STATUS_FIELD]
    assert not Rating.objects.exists()


def test_another_enterprise_cannot_rate_it(world, client_for):
    case = done_case(world, world.project2_a)  # enterprise2_a's
    with pytest.raises(PermissionDenied):
        services.rate_case(world.user_enterprise, case, score="satisfied")
    with pytest.raises(PermissionDenied):  # staff rate nothing here
        services.rate_case(world.user_admin, case, score="satisfied")
    client = client_for("enterprise")
    page = client.post(reverse("portal:case_rate", args=[case.pk]), {"score": "satisfied"})
    assert page.status_code == 404
    api = client.post(f"/api/v1/portal/cases/{case.pk}/rate/", {"score": "satisfied"})
    assert api.status_code == 404
    assert not Rating.objects.exists()
