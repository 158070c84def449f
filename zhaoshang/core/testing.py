"""Moved to ``zhaoshang.testing`` (core imports no domain app); kept until every test
imports the new place."""

from zhaoshang.testing import (  # noqa: F401
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
