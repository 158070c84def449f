"""Who issues reports (SPEC §12, the work plan's 按月汇总、按季通报、年终考核): the bureau
issues the monthly summary, the supervision office the quarterly bulletin and the year-end
assessment; admins issue any. City users read only."""

from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.roles import Role
from zhaoshang.reports.choices import Kind
from zhaoshang.reports.querysets import readable_kinds

ISSUERS = {
    Kind.MONTHLY: (Role.ADMIN, Role.BUREAU),
    Kind.QUARTERLY: (Role.ADMIN, Role.SUPERVISOR),
    Kind.ANNUAL: (Role.ADMIN, Role.SUPERVISOR),
}


def can_read(user, kind: str) -> bool:
    return kind in readable_kinds(user)


def can_issue(user, kind: str) -> bool:
    """May issue (and reissue) this kind of report for their own district."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.district_id
        and not roles.is_city(user)
        and not roles.is_enterprise(user)
        and roles.has_role(user, *ISSUERS[kind])
    )
