"""An enterprise's contacts: staff invite by mobile number or e-mail, the invitee sets a
password at the link and lands in the service hall, staff withdraw invitations and remove
contacts (the account deactivated, its tokens dead, its history kept)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhaoshang.core import clock, roles
from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises import contacts
from zhaoshang.enterprises.models import ContactInvitation, InvitationStatus
from zhaoshang.notifications.models import Channel, OutboxMessage

GOOD_PASSWORD = "Qingshan#2026lake"


def _invite(client, enterprise, **data):
    return client.post(reverse("enterprises:contact_invite", args=[enterprise.pk]), data)


def _link_on_page(client, enterprise) -> str:
    html = client.get(reverse("enterprises:detail", args=[enterprise.pk])).content.decode()
    found = re.search(r'id="invitation-link" value="([^"]+)"', html)
    assert found, "the new invitation's link is shown on the enterprise page"
    return found.group(1)


def _path(link: str) -> str:
    return link[link.index("/accounts/") :]


def test_staff_invite_by_mobile_and_are_told_no_sms_is_sent(client_for, world):
    client = client_for("bureau")
    response = _invite(client, world.enterprise1_a, name="王晓", mobile="139 1234 5678")
    assert response.status_code == 302
    invitation = ContactInvitation.objects.get(enterprise=world.enterprise1_a)
    assert invitation.mobile == "13912345678"
    assert invitation.invited_by == world.user_bureau
    assert invitation.status == InvitationStatus.PENDING
    page = client.get(reverse("enterprises:detail", args=[world.enterprise1_a.pk]))
    html = page.content.decode()
    assert 'data-testid="new-invitation"' in html
    assert "data-copy=" in html
    assert "SMS" in html or "短信" in html
    link = re.search(r'id="invitation-link" value="([^"]+)"', html).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_digest == contacts.digest(token)
    assert token not in str(ContactInvitation.objects.filter(pk=invitation.pk).values().get())
    # Shown once: the next visit no longer has it.
    again = client.get(reverse("enterprises:detail", args=[world.enterprise1_a.pk]))
    assert 'data-testid="new-invitation"' not in again.content.decode()
    assert not OutboxMessage.objects.filter(address="13912345678").exists()
    assert DomainEvent.objects.filter(verb="enterprise.contact_invited").exists()


def test_an_email_invitation_goes_through_the_outbox(client_for, world):
    client = client_for("admin")
    _invite(client, world.enterprise1_a, name="李娜", email="Li.Na@Example.com")
    invitation = ContactInvitation.objects.get(enterprise=world.enterprise1_a)
    assert invitation.email == "li.na@example.com"
    message = OutboxMessage.objects.get(address="li.na@example.com")
    assert message.channel == Channel.EMAIL
    assert "/accounts/invite/" in message.notification.url
    assert message.notification.url.startswith("http")
    assert message.notification.recipient == world.user_admin
    assert message.notification.read_at is not None


def test_every_problem_of_an_invitation_at_once(client_for, world):
    client = client_for("bureau")
    response = _invite(client, world.enterprise1_a, name="", mobile="1234", email="not-mail")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "mobile", "email"}
    response = _invite(client, world.enterprise1_a, name="张三")
    assert response.status_code == 400
    assert "mobile" in response.context["form"].errors
    taken = _invite(client, world.enterprise1_a, name="张三", mobile="13800000000")
    assert taken.status_code == 302
    get_user_model().objects.create(username="13700000000")
    clash = _invite(client, world.enterprise1_a, name="张三", mobile="13700000000")
    assert clash.status_code == 400
    assert "mobile" in clash.context["form"].errors
    assert ContactInvitation.objects.count() == 1


def test_the_invitee_sets_a_password_and_enters_the_portal(client_for, client, world):
    staff = client_for("bureau")
    _invite(staff, world.enterprise1_a, name="王晓", mobile="13912345678", email="wx@example.com")
    path = _path(_link_on_page(staff, world.enterprise1_a))
    page = client.get(path)
    assert page.status_code == 200
    assert "13912345678" in page.content.decode()
    # All the password's problems at once, nothing written.
    bad = client.post(path, {"password1": "123", "password2": "456"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "password1" in errors and "password2" in errors
    assert len(errors["password1"]) >= 2  # too short, entirely numeric …
    assert not get_user_model().objects.filter(username="13912345678").exists()
    done = client.post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("portal:home")
    contact = get_user_model().objects.get(username="13912345678")
    assert contact.enterprise == world.enterprise1_a
    assert contact.district == world.district_a
    assert contact.real_name == "王晓"
    assert contact.phone == "13912345678" and contact.email == "wx@example.com"
    assert roles.is_enterprise(contact)
    assert contact.check_password(GOOD_PASSWORD)
    assert client.get(reverse("portal:contacts")).status_code == 200
    invitation = ContactInvitation.objects.get()
    assert invitation.accepted_user == contact
    # The link is used now: it says so, clearly.
    client.logout()
    used = client.get(path)
    assert used.status_code == 410
    assert 'data-testid="invitation-closed"' in used.content.decode()
    # The inviter hears of it.
    assert world.user_bureau.notifications.filter(verb="enterprise.contact_joined").exists()


@pytest.mark.parametrize("how", ["expired", "withdrawn", "unknown"])
def test_a_closed_link_answers_a_clear_message(client_for, client, world, how):
    staff = client_for("bureau")
    _invite(staff, world.enterprise1_a, name="王晓", mobile="13912345678")
    path = _path(_link_on_page(staff, world.enterprise1_a))
    invitation = ContactInvitation.objects.get()
    if how == "expired":
        with time_machine_travel(clock.now() + datetime.timedelta(days=15)):
            response = client.get(path)
            posted = client.post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    elif how == "withdrawn":
        url = reverse(
            "enterprises:invitation_revoke", args=[invitation.enterprise_id, invitation.pk]
        )
        assert staff.post(url).status_code == 302
        response = client.get(path)
        posted = client.post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    else:
        path = reverse("accept_invitation", args=["no-such-token"])
        response = client.get(path)
        posted = client.post(path, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    expected = 404 if how == "unknown" else 410
    assert response.status_code == expected
    assert posted.status_code == expected
    assert 'data-testid="invitation-closed"' in response.content.decode()
    assert not get_user_model().objects.filter(username="13912345678").exists()


def time_machine_travel(moment):
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_inviting_again_withdraws_the_earlier_link(client_for, world):
    staff = client_for("bureau")
    _invite(staff, world.enterprise1_a, name="王晓", mobile="13912345678")
    _invite(staff, world.enterprise1_a, name="王晓", mobile="13912345678")
    first, second = ContactInvitation.objects.order_by("id")
    assert first.status == InvitationStatus.REVOKED
    assert second.status == InvitationStatus.PENDING


def test_staff_remove_a_contact_who_then_cannot_log_in(client_for, world):
    from zhaoshang.api.services import issue_token

    contact = world.user_enterprise
    _token, key = issue_token(contact, name="erp")
    staff = client_for("bureau")
    url = reverse("enterprises:contact_remove", args=[world.enterprise1_a.pk, contact.pk])
    assert staff.post(url).status_code == 302
    contact.refresh_from_db()
    assert contact.is_active is False
    assert contact.enterprise == world.enterprise1_a  # the history stays attached
    assert contact.api_tokens.filter(revoked_at__isnull=True).count() == 0
    event = DomainEvent.objects.get(verb="enterprise.contact_removed")
    assert event.actor == world.user_bureau and event.data["contact"] == contact.pk
    page = staff.get(reverse("enterprises:detail", args=[world.enterprise1_a.pk]))
    assert "text-bg-secondary" in page.content.decode()  # shown as removed
    # Removed twice: refused with a message, nothing changes.
    again = staff.post(url, follow=True)
    assert "已" in again.content.decode() or "already" in again.content.decode()


def test_a_contact_may_not_remove_or_invite(client_for, world):
    client = client_for("enterprise")
    url = reverse(
        "enterprises:contact_remove", args=[world.enterprise1_a.pk, world.user_enterprise.pk]
    )
    assert client.post(url).status_code == 403
    assert _invite(client, world.enterprise1_a, name="x", mobile="13912345678").status_code == 403
    assert not ContactInvitation.objects.exists()


def test_the_contacts_page_lists_the_enterprise_people_only(client_for, world):
    staff = client_for("bureau")
    _invite(staff, world.enterprise1_a, name="王晓", mobile="13912345678")
    _invite(staff, world.enterprise2_a, name="赵六", mobile="13612345678")
    html = client_for("enterprise").get(reverse("portal:contacts")).content.decode()
    assert world.user_enterprise.display_name in html
    assert "王晓" in html and "赵六" not in html
    assert reverse("tokens:list") in html


def test_inviting_a_removed_contacts_number_says_so(client_for, world):
    contact = world.user_enterprise
    contact.username = "13512345678"
    contact.is_active = False
    contact.save()
    response = _invite(client_for("bureau"), world.enterprise1_a, name="x", mobile="13512345678")
    assert response.status_code == 400
    [message] = response.context["form"].errors["mobile"]
    assert contact.display_name in message


def test_the_open_invitations_query_agrees_with_each_status(world):
    """``pending_at`` (the portal's open invitations, the earlier link withdrawn on a new
    invitation) selects exactly the invitations whose ``status_at`` is pending."""
    now = clock.now()
    made = {}
    for n, status in enumerate(InvitationStatus.values):
        invitation, _link = contacts.invite_contact(
            world.user_bureau, world.enterprise1_a, {"name": "王晓", "mobile": f"1391234567{n}"}
        )
        if status == InvitationStatus.ACCEPTED:
            contacts.accept_invitation(invitation, GOOD_PASSWORD, GOOD_PASSWORD)
        elif status == InvitationStatus.REVOKED:
            contacts.revoke_invitation(world.user_bureau, invitation)
        elif status == InvitationStatus.EXPIRED:
            ContactInvitation.objects.filter(pk=invitation.pk).update(expires_at=now)
        made[status] = invitation.pk
    for invitation in ContactInvitation.objects.filter(pk__in=made.values()):
        assert invitation.status_at(now) == next(s for s, pk in made.items() if pk == invitation.pk)
    pending = set(ContactInvitation.objects.pending_at(now).values_list("pk", flat=True))
    assert pending == {made[InvitationStatus.PENDING]}


def test_removing_refuses_a_person_of_another_enterprise(world):
    """The service removes a contact of the enterprise named only (not one of another
    enterprise the caller may also manage)."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        contacts.remove_contact(world.user_bureau, world.enterprise2_a, world.user_enterprise)
    world.user_enterprise.refresh_from_db()
    assert world.user_enterprise.is_active
