"""Who may act on complaints (SPEC §9). Visibility is ``Complaint.objects.visible_to``;
these rules decide the actions on a complaint the user can already see.

- Staff receive a complaint on behalf of an enterprise: the supervision office, the
  investment promotion bureau and admins; the same people record the enterprise's rating.
  The enterprise's own contact lodges its complaints in the service hall and rates the
  answers itself.
- The supervision office (and admins) dispatch it to the department complained about.
- The department complained about (its people, and admins) accepts it and answers with
  the facts (its account); it never records the finding.
- The supervision office (and admins) verifies the account and records the finding — not
  on a complaint against the office's own department (it does not judge itself either).
- The department complained about (and admins) requests a complex case's extension; the
  supervision office (and admins) decides it.
- Files are attached by those who receive complaints and by the department complained
  about.
- The complainant's contact is hidden from the department complained about unless the
  complainant consented. City users read everything and change nothing.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

RECEIVER_ROLES = (Role.ADMIN, Role.BUREAU, Role.SUPERVISOR)
SUPERVISION_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def _writer(user, district_id) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )


def can_receive(user, district_id) -> bool:
    return _writer(user, district_id) and roles.has_role(user, *RECEIVER_ROLES)


def can_lodge(user, enterprise) -> bool:
    """The enterprise's own contact lodges a complaint for it (企业服务端)."""
    return enterprise is not None and roles.is_contact_of(user, enterprise.pk)


def can_dispatch(user, complaint) -> bool:
    return _writer(user, complaint.district_id) and roles.has_role(user, *SUPERVISION_ROLES)


def is_complained_about(user, complaint) -> bool:
    """A person of the department complained about (not an admin acting for it)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_enterprise(user)
        and user.department_id
        and user.department_id == complaint.department_id
    )


def can_handle(user, complaint) -> bool:
    """Accept and answer with the facts: the department complained about, and admins."""
    if not _writer(user, complaint.district_id):
        return False
    return roles.has_role(user, Role.ADMIN) or is_complained_about(user, complaint)


def can_verify(user, complaint) -> bool:
    """Record the finding: the supervision office (and admins), never a person of the
    department complained about."""
    return can_dispatch(user, complaint) and not is_complained_about(user, complaint)


def can_rate(user, complaint) -> bool:
    """The enterprise's own contact, or the receivers on its behalf."""
    return can_receive(user, complaint.district_id) or roles.is_contact_of(
        user, complaint.enterprise_id
    )


def can_request_extension(user, complaint) -> bool:
    return can_handle(user, complaint)


def can_decide_extension(user, complaint) -> bool:
    return can_dispatch(user, complaint)


def can_attach(user, complaint) -> bool:
    return can_receive(user, complaint.district_id) or can_handle(user, complaint)


def can_see_contact(user, complaint) -> bool:
    return complaint.contact_consent or not is_complained_about(user, complaint)
