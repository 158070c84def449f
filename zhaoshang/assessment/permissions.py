"""Who may do what with the assessment ledger (SPEC §1, §12). Visibility is
``LedgerEntry.objects.visible_to``-style scoping in ``querysets``; these rules decide the
actions on what the user can already see.

- the supervision office (督查室) and admins of the district keep the ledger: hand entries,
  base scores, finishing the year, answering objections;
- leaders read every department's ledger of their district; city users read every district
  and change nothing;
- any other government user reads their own department's ledger, and its handlers file
  objections to its entries.
"""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role

KEEPER_ROLES = (Role.ADMIN, Role.SUPERVISOR)
ALL_DEPARTMENT_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.LEADER)


def _writer(user, district_id) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not roles.is_city(user)
        and not roles.is_enterprise(user)
        and (user.is_superuser or (user.district_id and user.district_id == district_id))
    )


def sees_every_department(user) -> bool:
    """Reads the ledger of every department (of their district, or every district)."""
    return roles.sees_all_districts(user) or roles.has_role(user, *ALL_DEPARTMENT_ROLES)


def own_department_id(user) -> int | None:
    """The department whose ledger a user reads as its own (None: no department)."""
    if roles.is_enterprise(user) or not roles.is_staff_user(user):
        return None
    return user.department_id


def may_read_ledger(user) -> bool:
    """May open the assessment pages at all."""
    if not getattr(user, "is_authenticated", False) or roles.is_enterprise(user):
        return False
    return sees_every_department(user) or own_department_id(user) is not None


def can_keep_ledger(user, district_id) -> bool:
    """Hand entries, base scores, finishing the year and answering objections."""
    return _writer(user, district_id) and roles.has_role(user, *KEEPER_ROLES)


def handles_department(user, department) -> bool:
    """A handler of the department (its own government user, not a city user)."""
    return _writer(user, department.district_id) and own_department_id(user) == department.pk


def can_object(user, entry) -> bool:
    """A handler of the entry's department files objections to it."""
    return _writer(user, entry.district_id) and own_department_id(user) == entry.department_id
