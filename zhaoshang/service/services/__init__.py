"""Project service (SPEC §7): every change to receipts, instructions, needs and
second-round records is a function here; pages, the API and the demo call them.

Each one checks who may act, validates with messages that name the field and the reason,
runs in one transaction (locking the row where two people may act at once), writes the
domain event, and tells the people concerned through ``notify``. By family:
``receipts`` (回执单), ``instructions`` (批示), ``needs`` (问题清单), ``enterprise`` (the
needs the enterprise raises and rates in the service hall), ``forwards`` (报送主要领导) and
``second_round`` (二次招商服务).
"""

from zhaoshang.service.services._common import TEXT_LIMIT
from zhaoshang.service.services.enterprise import (
    ENTERPRISE_NEED_WORKDAYS,
    MAX_NEED_FILES,
    can_be_rated,
    investment_bureau,
    raise_enterprise_need,
    rate_need,
)
from zhaoshang.service.services.forwards import (
    forward,
    forward_recipients,
    mark_forward_read,
)
from zhaoshang.service.services.instructions import (
    ITEM_KEYS,
    InstructionItemError,
    write_instruction,
)
from zhaoshang.service.services.needs import (
    EDITABLE_NEED_FIELDS,
    MAX_NEED_WORKDAYS,
    _need_due,
    close_need,
    escalate_need,
    raise_need,
    recompute_provisional_due_dates,
    resolve_need,
    start_need,
    update_need,
)
from zhaoshang.service.services.receipts import (
    CORRECTABLE,
    correct_receipt,
    file_receipt,
    leader_in_charge,
    mark_receipt_read,
    not_team_message,
)
from zhaoshang.service.services.second_round import record_second_round

__all__ = [
    "_need_due",  # the demo's tests recompute a due date with it
    "CORRECTABLE",
    "EDITABLE_NEED_FIELDS",
    "ENTERPRISE_NEED_WORKDAYS",
    "MAX_NEED_FILES",
    "ITEM_KEYS",
    "MAX_NEED_WORKDAYS",
    "TEXT_LIMIT",
    "InstructionItemError",
    "can_be_rated",
    "close_need",
    "correct_receipt",
    "escalate_need",
    "file_receipt",
    "forward",
    "forward_recipients",
    "investment_bureau",
    "leader_in_charge",
    "mark_forward_read",
    "mark_receipt_read",
    "not_team_message",
    "raise_enterprise_need",
    "raise_need",
    "rate_need",
    "recompute_provisional_due_dates",
    "record_second_round",
    "resolve_need",
    "start_need",
    "update_need",
    "write_instruction",
]
