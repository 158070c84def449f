"""Agreements, obligations and service commitments through their life (SPEC §8). Every
state change is a function here; pages, the API, the admin and the daily scan call them.

Each checks who may act and what the input says, runs in one transaction (an error saves
nothing), locks the row it changes and checks the version the user read, writes the
domain event and queues notifications on commit. By family:

- ``agreements``: an agreement, its terms and its investment schedule;
- ``obligations``: further obligations, confirmed with evidence or waived;
- ``ledger``: breaches, missed milestones and the daily scan;
- ``commitments``: service commitments and their reverse schedules;
- ``archive``: the park committee's archive of filed versions;
- ``changes``: a filed commitment's change requests, approved or refused.
"""

from zhaoshang.agreements.services.agreements import (
    AGREEMENT_FIELDS,
    KEY_LEVELS,
    REQUIRED_TERMS,
    TERM_FIELDS,
    TERM_VALUE_FIELDS,
    TERMS,
    delete_agreement,
    save_agreement,
    term_values,
    why_not_removable,
)
from zhaoshang.agreements.services.archive import (
    SNAPSHOT_SCHEMA,
    compare_versions,
    file_commitment,
    snapshot,
)
from zhaoshang.agreements.services.changes import (
    approve_change,
    approvers,
    refuse_change,
    request_change,
)
from zhaoshang.agreements.services.commitments import (
    COMMITMENT_FIELDS,
    create_commitment,
    delete_commitment,
    recompute_provisional_schedules,
    replan_commitment,
    report_progress,
    reschedule_milestone,
    steps_from_template,
)
from zhaoshang.agreements.services.ledger import (
    ScanResult,
    record_breach,
    record_missed_milestone,
    scan,
)
from zhaoshang.agreements.services.obligations import (
    OBLIGATION_FIELDS,
    add_obligation,
    add_obligations,
    check_obligation,
    confirm_obligation,
    delete_obligation,
    obligation_status,
    record_imported_met,
    update_obligation,
    waive_obligation,
)

__all__ = [
    "AGREEMENT_FIELDS",
    "TERM_VALUE_FIELDS",
    "COMMITMENT_FIELDS",
    "KEY_LEVELS",
    "OBLIGATION_FIELDS",
    "REQUIRED_TERMS",
    "SNAPSHOT_SCHEMA",
    "TERMS",
    "TERM_FIELDS",
    "ScanResult",
    "add_obligation",
    "add_obligations",
    "approve_change",
    "approvers",
    "check_obligation",
    "compare_versions",
    "confirm_obligation",
    "create_commitment",
    "delete_agreement",
    "delete_commitment",
    "delete_obligation",
    "file_commitment",
    "obligation_status",
    "recompute_provisional_schedules",
    "record_breach",
    "record_imported_met",
    "record_missed_milestone",
    "refuse_change",
    "replan_commitment",
    "report_progress",
    "request_change",
    "reschedule_milestone",
    "save_agreement",
    "scan",
    "snapshot",
    "steps_from_template",
    "term_values",
    "update_obligation",
    "waive_obligation",
    "why_not_removable",
]
