"""An enterprise's contacts (portal accounts): invited by staff, joined by setting a
password at the invitation link, removed by staff (deactivated, their history kept).

The bureau and the district's administrators manage an enterprise's contacts (the same
people who edit the registry); a contact sees the others but removes nobody."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import (
    gather,
    lock_for_update,
    raise_errors,
    require,
    status_error,
)
from zhaoshang.enterprises.models import (
    ContactInvitation,
    Enterprise,
    InvitationStatus,
    validate_mobile,
)

# How long an invitation link stays open.
INVITATION_DAYS = 14


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_manage_contacts(user, enterprise: Enterprise) -> bool:
    """Invite and remove an enterprise's contacts: the bureau and the administrators of
    its district."""
    return roles.can_edit_registry(user, enterprise.district_id)


def invitation_link(token: str, base_url: str = "") -> str:
    path = reverse("accept_invitation", args=[token])
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def _username_taken(username: str) -> bool:
    return get_user_model().objects.filter(username__iexact=username).exists()


def _taken_message(username: str, label: str) -> str | None:
    """Why ``username`` cannot be given (an account holds it), or None."""
    holder = (
        get_user_model()
        .objects.filter(username__iexact=username)
        .only("is_active", "real_name", "username")
        .first()
    )
    if holder is None:
        return None
    if not holder.is_active:
        return _(
            "%(field)s: it is the user name of %(name)s, a contact removed earlier; an "
            "administrator can enable that account again."
        ) % {"field": label, "name": holder.display_name}
    return _("%(field)s: an account with this user name exists already.") % {"field": label}


def _clean_invitation(data: Mapping) -> dict:
    """The invitation's fields, normalised, with every problem at once."""
    errors: dict = {}
    name = (data.get("name") or "").strip()
    mobile = "".join((data.get("mobile") or "").split()).replace("-", "")
    email = (data.get("email") or "").strip().lower()
    if not name:
        errors["name"] = [_("Name: enter the contact's name.")]
    if not mobile and not email:
        errors["mobile"] = [_("Enter a mobile number or an e-mail address (at least one).")]
    if mobile:
        gather(errors, _field_check, "mobile", validate_mobile, mobile)
    if email:
        gather(
            errors,
            _field_check,
            "email",
            validate_email,
            email,
            message=_("E-mail: this is not a valid e-mail address."),
        )
    if mobile and "mobile" not in errors:
        taken = _taken_message(mobile, _("Mobile number"))
        if taken:
            errors["mobile"] = [taken]
    elif not mobile and email and "email" not in errors:
        taken = _taken_message(email, _("E-mail"))
        if taken:
            errors["email"] = [taken]
    raise_errors(errors)
    return {"name": name, "mobile": mobile, "email": email}


def _field_check(field: str, check, value, message: str | None = None) -> None:
    try:
        check(value)
    except ValidationError as exc:
        raise ValidationError({field: [message] if message else exc.messages}) from exc


@transaction.atomic
def invite_contact(
    user, enterprise: Enterprise, data: Mapping, base_url: str = ""
) -> tuple[ContactInvitation, str]:
    """Invite a person to become a contact of ``enterprise``; returns the invitation and
    its link (the invitation keeps only the token's digest; the link exists here and, for
    an e-mail address, in the queued e-mail and the inviter's copy of it). An e-mail
    address gets the link by e-mail; a mobile number has no SMS gateway, the staff pass
    the link on. An earlier open invitation of the same person is withdrawn."""
    require(may_manage_contacts(user, enterprise))
    values = _clean_invitation(data)
    now = clock.now()
    token = secrets.token_urlsafe(32)
    invitation = ContactInvitation(
        district_id=enterprise.district_id,
        enterprise=enterprise,
        token_digest=digest(token),
        invited_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        **values,
    )
    errors: dict = {}
    gather(
        errors,
        invitation.full_clean,
        exclude=["district", "enterprise", "invited_by", "token_digest"],
        validate_unique=False,
    )
    raise_errors(errors)
    earlier = ContactInvitation.objects.pending_at(now).filter(enterprise=enterprise)
    if values["mobile"]:
        earlier = earlier.filter(mobile=values["mobile"])
    else:
        earlier = earlier.filter(email=values["email"])
    for old in earlier:
        _withdraw(user, old, now)
    invitation.save()
    link = invitation_link(token, base_url)
    log_event(
        user,
        "enterprise.contact_invited",
        enterprise,
        summary=f"{invitation.name} {invitation.address}",
        invitation=invitation.pk,
    )
    if invitation.email:
        from zhaoshang.notifications.services import email_address

        email_address(
            user,
            invitation.email,
            "enterprise.contact_invited",
            _("Invitation to the service hall of %(enterprise)s") % {"enterprise": enterprise},
            _(
                "%(name)s, you are invited to become a contact of %(enterprise)s in the "
                "investment project service hall. Open the link below before %(expires)s "
                "and set your password; your user name is %(username)s."
            )
            % {
                "name": invitation.name,
                "enterprise": enterprise,
                "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
                "username": invitation.username,
            },
            link,
        )
    return invitation, link


def find_invitation(token: str) -> ContactInvitation | None:
    """The invitation of a link's token, or None."""
    if not token or len(token) > 100:
        return None
    return (
        ContactInvitation.objects.select_related("enterprise")
        .filter(token_digest=digest(token))
        .first()
    )


def closed_message(status: str) -> str:
    """Why an invitation link no longer opens."""
    return {
        InvitationStatus.ACCEPTED: _(
            "This invitation has been used already: log in with your user name and password."
        ),
        InvitationStatus.REVOKED: _(
            "This invitation was withdrawn. Ask the investment promotion bureau for a new one."
        ),
        InvitationStatus.EXPIRED: _(
            "This invitation has expired. Ask the investment promotion bureau for a new one."
        ),
    }.get(status, _("This invitation link is not valid."))


def password_errors(invitation: ContactInvitation, password1: str, password2: str) -> dict:
    """Every problem of the chosen password at once (the site's password rules)."""
    errors: dict = {}
    if not password1:
        errors["password1"] = [_("Password: enter a password.")]
    elif password1 != password2:
        errors["password2"] = [_("Password again: the two passwords differ.")]
    if password1:
        probe = get_user_model()(
            username=invitation.username,
            real_name=invitation.name,
            email=invitation.email,
        )
        try:
            password_validation.validate_password(password1, probe)
        except ValidationError as exc:
            errors.setdefault("password1", []).extend(exc.messages)
    return errors


@transaction.atomic
def accept_invitation(invitation: ContactInvitation, password1: str, password2: str):
    """The invitee sets a password: the account is made (user name: the mobile number,
    else the e-mail address) as a contact of the enterprise, and the invitation is used."""
    locked = lock_for_update(invitation, select_related=("enterprise",))
    status = locked.status
    if status != InvitationStatus.PENDING:
        raise status_error(closed_message(status))
    errors = password_errors(locked, password1, password2)
    if _username_taken(locked.username):
        errors.setdefault("__all__", []).append(
            _("An account with the user name %(username)s exists already: log in with it.")
            % {"username": locked.username}
        )
    raise_errors(errors)
    User = get_user_model()
    contact = User(
        username=locked.username,
        real_name=locked.name,
        email=locked.email,
        phone=locked.mobile,
        district_id=locked.district_id,
        enterprise=locked.enterprise,
        rank="enterprise",
    )
    contact.set_password(password1)
    contact.save()
    group, _created = Group.objects.get_or_create(name=roles.Role.ENTERPRISE)
    contact.groups.add(group)
    locked.accepted_at = clock.now()
    locked.accepted_user = contact
    locked.save(update_fields=["accepted_at", "accepted_user"])
    log_event(
        contact,
        "enterprise.contact_joined",
        locked.enterprise,
        summary=f"{contact.display_name} {contact.username}",
        contact=contact.pk,
        invitation=locked.pk,
    )
    from zhaoshang.notifications.services import notify

    notify(
        [locked.invited_by],
        "enterprise.contact_joined",
        _("%(name)s joined the service hall of %(enterprise)s")
        % {"name": contact.display_name, "enterprise": locked.enterprise},
        url=locked.enterprise.get_absolute_url(),
    )
    return contact


def _withdraw(user, invitation: ContactInvitation, now) -> None:
    invitation.revoked_at = now
    invitation.revoked_by = user
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    log_event(
        user,
        "enterprise.contact_invitation_withdrawn",
        invitation.enterprise,
        summary=f"{invitation.name} {invitation.address}",
        invitation=invitation.pk,
    )


@transaction.atomic
def revoke_invitation(user, invitation: ContactInvitation) -> ContactInvitation:
    """Withdraw an invitation that is still open: its link then answers that it was."""
    require(may_manage_contacts(user, invitation.enterprise))
    locked = lock_for_update(invitation, select_related=("enterprise",))
    if locked.status != InvitationStatus.PENDING:
        raise status_error(
            _("Only an open invitation can be withdrawn (this one is “%(status)s”).")
            % {"status": locked.get_status_display()}
        )
    _withdraw(user, locked, clock.now())
    return locked


@transaction.atomic
def remove_contact(user, enterprise: Enterprise, contact):
    """Remove a contact from an enterprise: the account is deactivated (it can no longer
    log in, its API tokens are revoked), its name stays on everything it did."""
    require(may_manage_contacts(user, enterprise))
    locked = lock_for_update(contact, select_related=())
    require(locked.enterprise_id == enterprise.pk)  # a contact of this enterprise only
    if not locked.is_active:
        raise status_error(_("This contact has been removed already."))
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    log_event(
        user,
        "enterprise.contact_removed",
        enterprise,
        summary=f"{locked.display_name} {locked.username}",
        contact=locked.pk,
    )
    return locked
