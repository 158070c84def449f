"""What the tests share: the world (two districts with one user per role, built once per
test session), its people's logged-in clients, the database built without running the
migrations, the factories and the permission-matrix generator.

Not part of the application: only tests and conftest files import it (``zhaoshang.core``
must import no domain app, and this package imports them all).
"""

from zhaoshang.testing.world import (
    FROZEN_NOW,
    PASSWORD,
    ROLE_USERS,
    SHANGHAI,
    World,
    assert_statuses,
    build_world,
    each_person,
    route_names,
)

__all__ = [
    "FROZEN_NOW",
    "PASSWORD",
    "ROLE_USERS",
    "SHANGHAI",
    "World",
    "assert_statuses",
    "build_world",
    "each_person",
    "route_names",
]
