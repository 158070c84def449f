from __future__ import annotations

from zhaoshang.core import roles
from zhaoshang.core.querysets import DistrictScopedQuerySet


class EnterpriseQuerySet(DistrictScopedQuerySet):
    """Government users see their district's enterprises; an enterprise user only its own."""

    def visible_to(self, user):
        if roles.is_enterprise(user):
            if not user.enterprise_id:
                return self.none()
            return self.filter(pk=user.enterprise_id)
        return super().visible_to(user)
