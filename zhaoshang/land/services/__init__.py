"""Land through its life (SPEC §11, §20; the work plan's 用地保障 and 园区土地清理). Every
change is a function of this package; the pages, the API, the admin and the daily scan call
them: ``parcels`` (a parcel's facts and status), ``campaigns`` (the half-yearly clean-up:
opening, entries, decisions, closing) and ``followup`` (carrying each decision out, and the
daily scan's watch on its deadline).

Bad input raises ``ValidationError`` keyed by the field and saves nothing; a stale
``expected_version`` raises ``ConcurrentEditError`` and saves nothing.
"""

from zhaoshang.land.services.campaigns import (
    build_entries,
    close_campaign,
    contradictions,
    decide_entry,
    exit_rules,
    generate_entries,
    open_campaign,
)
from zhaoshang.land.services.followup import (
    complete_exit,
    confirm_rectified,
    land_recovered,
    scan,
    start_followup,
)
from zhaoshang.land.services.parcels import (
    INITIAL_STATUSES,
    PARCEL_FIELDS,
    change_parcel_status,
    create_parcel,
    update_parcel,
)

__all__ = [
    "INITIAL_STATUSES",
    "PARCEL_FIELDS",
    "build_entries",
    "change_parcel_status",
    "close_campaign",
    "complete_exit",
    "confirm_rectified",
    "contradictions",
    "create_parcel",
    "decide_entry",
    "exit_rules",
    "generate_entries",
    "land_recovered",
    "open_campaign",
    "scan",
    "start_followup",
    "update_parcel",
]
