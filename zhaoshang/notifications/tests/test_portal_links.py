"""Notifications to an enterprise user only ever link to portal pages: ``notify`` and
``notify_many`` map a staff page to its portal page (``notifications.portal_links``), or to the
portal's home when there is none; staff keep their links; the e-mail carries the same."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from zhaoshang.notifications.portal_links import PORTAL_PAGES, portal_url
from zhaoshang.notifications.services import deliver_pending, notify, notify_many


def test_a_staff_link_to_a_contact_becomes_its_portal_page(world):
    contact = world.user_enterprise
    case_url = reverse("approvals:case", args=[world.case_a.pk])
    project_url = reverse("projects:detail", args=[world.project1_a.pk])
    [note] = notify([contact], "case.completed", "办结告知", url=case_url)
    assert note.url == reverse("portal:case", args=[world.case_a.pk])
    [note] = notify([contact], "project.x", "项目", url=project_url)
    assert note.url == reverse("portal:project", args=[world.project1_a.pk])


def test_staff_recipients_keep_their_links(world):
    url = reverse("approvals:case", args=[world.case_a.pk])
    [note] = notify([world.user_bureau], "case.completed", "办结告知", url=url)
    assert note.url == url


def test_a_staff_page_without_a_portal_page_leads_to_the_portal_home(world):
    contact = world.user_enterprise
    for url in (reverse("kpis:index"), reverse("projects:list"), "/no/such/page/"):
        [note] = notify([contact], "x", "t", url=url)
        assert note.url == reverse("portal:home"), url
        assert not note.url.startswith(("/projects/", "/kpis/"))


def test_portal_and_inbox_links_are_kept(world):
    own = reverse("portal:project", args=[world.project1_a.pk])
    assert portal_url(own) == own
    assert portal_url(reverse("notifications:inbox")) == reverse("notifications:inbox")


@pytest.mark.parametrize("staff_name", sorted(PORTAL_PAGES))
def test_every_mapped_staff_page_leads_to_its_portal_page(world, staff_name):
    """Each mapped page reaches the portal page named for it (the same record's, else the
    list), not the home the unmapped pages fall back to."""
    pk = world.project1_a.pk
    with_pk, listing = PORTAL_PAGES[staff_name]
    try:
        url = reverse(staff_name, args=[pk])
    except NoReverseMatch:
        url, with_pk = reverse(staff_name), None
    expected = reverse(with_pk, args=[pk]) if with_pk else reverse(listing)
    assert portal_url(url) == expected


def test_notify_many_maps_too_and_the_email_carries_the_portal_link(world):
    contact = world.user_enterprise
    contact.email = "contact@example.com"
    contact.save()
    world.user_bureau.email = "bureau@example.gov.cn"
    world.user_bureau.save()
    url = reverse("projects:detail", args=[world.project1_a.pk])
    notify_many([([contact, world.user_bureau], "project.x", "项目进展", "正文", url)])
    assert deliver_pending() == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    portal = reverse("portal:project", args=[world.project1_a.pk])
    assert bodies["contact@example.com"].splitlines()[-1] == portal
    assert bodies["bureau@example.gov.cn"].splitlines()[-1] == url


def test_opening_an_old_message_with_a_staff_link_leads_into_the_portal(client_for, world):
    from zhaoshang.notifications.models import Notification

    url = reverse("projects:detail", args=[world.project1_a.pk])
    note = Notification.objects.create(
        recipient=world.user_enterprise, verb="x", title="旧消息", url=url
    )
    response = client_for("enterprise").get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:project", args=[world.project1_a.pk])
