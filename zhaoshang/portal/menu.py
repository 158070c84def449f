"""The service hall's menu: the top bar on a desktop, the tab bar at the foot of a phone."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# (label, URL name, Bootstrap icon, on the phone's tab bar)
PORTAL_MENU = [
    (_("My projects"), "portal:home", "bi-building", True),
    (_("Approvals"), "portal:approvals", "bi-list-check", True),
    (_("Reporting"), "portal:reports", "bi-pencil-square", True),
    (_("Needs"), "portal:needs", "bi-chat-left-text", True),
    (_("Complaints"), "portal:complaints", "bi-megaphone", False),
    (_("Inspections"), "portal:inspections", "bi-shield-check", True),
    (_("Commitments"), "portal:commitments", "bi-journal-check", False),
    (pgettext_lazy("service hall menu", "My ratings"), "portal:ratings", "bi-star", False),
    (_("Contacts"), "portal:contacts", "bi-people", False),
]


def portal_items() -> list[tuple]:
    """The menu as the staff navigation shapes it: (label, URL, icon, children, on the tab
    bar). An area whose routes are not installed is left out."""
    items = []
    for label, name, icon, tab in PORTAL_MENU:
        try:
            items.append((label, reverse(name), icon, None, tab))
        except NoReverseMatch:
            continue
    return items
