"""南城区, the district the example ledger is written for, created in a test as the demo
creates it (its departments, parks, industries, people and approval items; no records)."""

from __future__ import annotations

import datetime

from zhaoshang.testing import PASSWORD
from zhaoshang.testing.world import SHANGHAI

# The day after the example ledger's cut-off (2026-11-30): its dates are all in the past.
AFTER_THE_CUTOFF = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI)


def create_south(today: datetime.date | None = None):
    """The district and its administrator (who imports the ledger: approval cases in flight
    are theirs to bring in), with the tests' password."""
    from zhaoshang.demo.builder import DemoBuilder
    from zhaoshang.demo.onboarded import OnboardedDistrict

    made = OnboardedDistrict(DemoBuilder(today or AFTER_THE_CUTOFF.date()))
    made.create()
    admin = made.admin
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    return made.district, admin


def corrected_example(path) -> None:
    """The example ledger without its bad row (the date typed with month 13), saved at path."""
    from zhaoshang.demo.ledger.make_example import AS_OF, build_workbook
    from zhaoshang.demo.onboarded import ledger_names_of_spec

    build_workbook(ledger_names_of_spec(), AS_OF, bad_row=False).save(path)
