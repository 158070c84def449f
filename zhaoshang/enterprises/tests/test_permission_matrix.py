"""Every person × the routes of an enterprise's contacts (invite, withdraw an invitation,
remove a contact) × enterprise1_a ("in"), enterprise2_a ("out", same district) and the
other district's enterprise ("other"); and the invitation link, which everybody —
anonymous visitors included — may open. The enterprise's other pages are in the
platform's table (``core/tests/test_permission_matrix.py``).

The rule: the bureau and the administrators of the enterprise's district (the registry's
editors) manage its contacts; whoever sees the enterprise but is not one of them gets 403,
whoever does not see it 404; an enterprise user is kept off the staff pages (403). A
refused request changes nothing; an allowed button redirects to the enterprise's page."""

from __future__ import annotations

import datetime

from django.urls import reverse

from zhaoshang.core import clock
from zhaoshang.enterprises.contacts import digest
from zhaoshang.enterprises.models import ContactInvitation
from zhaoshang.testing.matrix import EDITORS, Matrix, own_district, visible_enterprise
from zhaoshang.testing.shared import built_once_per_module

ROUTES: dict[str, tuple[str | None, str, str]] = {
    "enterprises:contact_invite": ("enterprise", "manage", "GET"),
    "enterprises:contact_remove": ("contact", "manage", "POST"),
    "enterprises:invitation_revoke": ("invitation", "manage", "POST"),
    "accept_invitation": (None, "public", "GET"),
}
TOKEN = "matrix-invitation-token"


def expected(who: str, route: str, target: str | None) -> int:
    kind, needs, method = ROUTES[route]
    if needs == "public":
        return 200
    if who == "enterprise":
        return 403  # the staff pages are not the portal's
    if not visible_enterprise(who, target):
        return 404
    if who not in EDITORS or not own_district(who, target):
        return 403
    return 302 if method == "POST" else 200


def _enterprise(world, target):
    return {"in": world.enterprise1_a, "out": world.enterprise2_a, "other": world.enterprise1_b}[
        target
    ]


def build(world) -> dict:
    """A contact and an open invitation of each target's enterprise; one invitation whose
    link is known (the public page)."""
    from django.contrib.auth import get_user_model

    now = clock.now()
    made = {}
    for n, target in enumerate(("in", "out", "other")):
        enterprise = _enterprise(world, target)
        contact = get_user_model().objects.create(
            username=f"1390000000{n}",
            real_name=f"联系人{n}",
            district_id=enterprise.district_id,
            enterprise=enterprise,
        )
        invitation = ContactInvitation.objects.create(
            district_id=enterprise.district_id,
            enterprise=enterprise,
            name=f"受邀人{n}",
            mobile=f"1370000000{n}",
            token_digest=digest(TOKEN if target == "in" else f"{TOKEN}-{target}"),
            invited_by=world.user_admin if target != "other" else world.user_admin_b,
            expires_at=now + datetime.timedelta(days=7),
        )
        made[target] = (enterprise.pk, contact.pk, invitation.pk)
    return made


globals().update(built_once_per_module(build))


def url(objects, route: str, target: str | None) -> str:
    if route == "accept_invitation":
        return reverse(route, args=[TOKEN])
    enterprise, contact, invitation = objects[target]
    if route == "enterprises:contact_remove":
        return reverse(route, args=[enterprise, contact])
    if route == "enterprises:invitation_revoke":
        return reverse(route, args=[enterprise, invitation])
    return reverse(route, args=[enterprise])


def unchanged(objects, route: str, target: str | None):
    """A refused request leaves the contact and the invitation as they were."""
    if target is None:
        return None
    _enterprise_pk, contact_pk, invitation_pk = objects[target]

    def check(who, status):
        from django.contrib.auth import get_user_model

        if status == 302:
            return
        assert get_user_model().objects.get(pk=contact_pk).is_active, who
        assert ContactInvitation.objects.get(pk=invitation_pk).revoked_at is None, who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=None,
        targets_for=lambda route: [None] if ROUTES[route][0] is None else ["in", "out", "other"],
        check=unchanged,
        public={"accept_invitation"},
        anonymous_methods=("GET", "POST"),
    ).tests()
)
