"""报送主要领导 (issue 16 point 8, SPEC §7, §20): the leader in charge forwards a receipt or
a problem, with a note, to the district's principal leaders (区委、区政府主要领导); each
finds it in their inbox of forwarded items (unread until opened) and is told at once.

The world: ``leader`` is marked a principal leader here; ``manager`` is project1_a's
manager and designated leader, so its leader in charge (and the addressee of its
receipts)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.core.models import DomainEvent
from zhaoshang.notifications.models import Notification
from zhaoshang.service import services
from zhaoshang.service.models import Forward
from zhaoshang.testing.matrix import PEOPLE, visible_project

NOTE = "企业用地指标缺口 30 亩，部门层面无法解决，请区长研究。"


@pytest.fixture
def principal(world):
    leader = world.user_leader
    leader.is_principal_leader = True
    leader.title = "区长"
    leader.save()
    return leader


def test_a_forwarded_receipt_reaches_the_principal_leaders_inbox(
    world, principal, file_receipt, client_for
):
    receipt = file_receipt()
    (row,) = services.forward(world.user_manager, receipt=receipt, note=NOTE)
    assert (row.recipient, row.sent_by, row.project, row.note) == (
        principal,
        world.user_manager,
        world.project1_a,
        NOTE,
    )
    told = Notification.objects.get(recipient=principal, verb="forward.received")
    assert receipt.number in told.title and told.body == NOTE
    assert told.url == reverse("service:forward", args=[row.pk])
    assert DomainEvent.objects.filter(verb="receipt.forwarded").count() == 1

    client = client_for("leader")
    inbox = client.get(reverse("service:forwarded"))
    html = inbox.content.decode()
    assert inbox.context["unread_total"] == 1
    assert (
        f'data-forward="{row.pk}"' in html and NOTE[:20] in html and 'data-testid="unread"' in html
    )

    opened = client.get(reverse("service:forward", args=[row.pk]))
    assert opened.status_code == 302 and opened.url == receipt.get_absolute_url()
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(reverse("service:forwarded")).context["unread_total"] == 0
    # the sender sees it read, on the receipt and among what they sent
    page = client_for("manager").get(receipt.get_absolute_url()).content.decode()
    assert f'data-forward="{row.pk}"' in page
    sent = client_for("manager").get(reverse("service:forwarded"), {"sent": "1"})
    assert [f.pk for f in sent.context["page"]] == [row.pk]


def test_a_problem_is_forwarded_through_its_page(world, principal, raise_need, client_for):
    need = raise_need()
    client = client_for("manager")
    url = reverse("service:forward_need", args=[need.pk])
    form = client.get(url)
    assert form.status_code == 200 and principal.display_name in form.content.decode()
    response = client.post(url, {"recipients": [principal.pk], "note": NOTE})
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    row = Forward.objects.get()
    assert (row.need, row.receipt, row.recipient) == (need, None, principal)
    assert f'data-forward="{row.pk}"' in client.get(need.get_absolute_url()).content.decode()


def test_every_error_is_said_at_once_and_nothing_is_written(world, file_receipt, client_for):
    """No note, and no principal leader on record: both fields are named."""
    receipt = file_receipt()
    with pytest.raises(ValidationError) as caught:
        services.forward(world.user_manager, receipt=receipt, note="  ")
    assert set(caught.value.message_dict) == {"note", "recipients"}
    response = client_for("manager").post(
        reverse("service:forward_receipt", args=[receipt.pk]), {"note": ""}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"note", "recipients"}
    assert (
        not Forward.objects.exists()
        and not Notification.objects.filter(verb="forward.received").exists()
    )


def test_only_principal_leaders_receive(world, principal, file_receipt):
    receipt = file_receipt()
    with pytest.raises(ValidationError) as caught:
        services.forward(
            world.user_manager, receipt=receipt, note=NOTE, recipients=[world.user_supervisor]
        )
    assert "recipients" in caught.value.message_dict
    assert not Forward.objects.exists()


@pytest.mark.parametrize("who", ["leader", "secretary", "bureau", "supervisor", "admin"])
def test_only_the_leader_in_charge_forwards(world, principal, file_receipt, raise_need, who):
    receipt, need = file_receipt(), raise_need()
    user = getattr(world, f"user_{who}")
    with pytest.raises(PermissionDenied):
        services.forward(user, receipt=receipt, note=NOTE)
    with pytest.raises(PermissionDenied):
        services.forward(user, need=need, note=NOTE)
    assert not Forward.objects.exists()


# -- the API ------------------------------------------------------------------------------


@pytest.fixture
def api_for(client_for):
    cache.clear()  # the API's throttle

    def make(who):
        client = client_for(who)

        class Json:
            def get(self, url, data=None):
                return client.get(url, data)

            def post(self, url, data=None):
                return client.post(url, data or {}, content_type="application/json")

        return Json()

    yield make
    cache.clear()


def test_the_api_forwards_lists_and_marks_read(world, principal, file_receipt, api_for):
    receipt = file_receipt()
    response = api_for("manager").post(
        f"/api/v1/receipts/{receipt.pk}/forward/", {"note": NOTE, "recipients": [principal.pk]}
    )
    assert response.status_code == 201, response.content
    (row,) = response.json()
    assert (row["recipient"], row["receipt"], row["read_at"]) == (principal.pk, receipt.pk, None)

    box = api_for("leader").get("/api/v1/forwards/", {"box": "received", "unread": "true"})
    assert [r["id"] for r in box.json()["results"]] == [row["id"]]
    assert api_for("bureau").get("/api/v1/forwards/").json()["count"] == 0  # not theirs
    assert api_for("manager").post(f"/api/v1/forwards/{row['id']}/read/").status_code == 403
    read = api_for("leader").post(f"/api/v1/forwards/{row['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]

    bad = api_for("manager").post(f"/api/v1/receipts/{receipt.pk}/forward/", {"note": ""})
    assert bad.status_code == 400 and "note" in bad.json()


def _forward_status(who: str, target: str) -> int:
    """POST receipts/{id}/forward/ with a valid note, per person of the world."""
    if who == "enterprise":
        return 403  # no staff API
    if not visible_project(who, target):
        return 404
    return 201 if (who, target) == ("manager", "in") else 403


@pytest.mark.parametrize("who", PEOPLE)
def test_the_forward_api_over_every_person(world, principal, file_receipt, api_for, who):
    """The receipt of project1_a (``in``) and one of district b (``other``): only the
    leader in charge forwards; the others are refused (403) or do not see it (404);
    every staff person lists only the forwarded items they sent or received."""
    receipts = {"in": file_receipt()}
    receipts["other"] = services.file_receipt(
        world.user_secretary_b,
        world.project1_b,
        visited_on=receipts["in"].visited_on,
        department=world.dept_works_b,
        handler_name="王建国",
        matter="施工许可",
        work_done="递交材料",
        result=receipts["in"].result,
        problems="",
    )
    services.forward(world.user_manager, receipt=receipts["in"], note=NOTE)  # one listed
    for target, receipt in receipts.items():
        response = api_for(who).post(f"/api/v1/receipts/{receipt.pk}/forward/", {"note": NOTE})
        assert response.status_code == _forward_status(who, target), (target, response.content)
    listed = api_for(who).get("/api/v1/forwards/")
    assert listed.status_code == (403 if who == "enterprise" else 200)
    # the manager's two forwarded items (before and in the loop), the leader's one received
    expected_rows = {"manager": 2, "leader": 1}.get(who, 0)
    if who != "enterprise":
        assert listed.json()["count"] == expected_rows
