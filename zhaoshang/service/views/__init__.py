"""Project service pages (SPEC §7): the project's service tab, receipts (form, page, PDF,
correction), the leader's inbox and instructions, summaries per project and per leader,
the problem list with its department view and export, second-round service records, and
the leader's designated-contact and the paired department's views.

Every change goes through ``service.services``; every read starts from ``visible_to``.
"""

from zhaoshang.service.views._common import days_left_text
from zhaoshang.service.views.forwards import (
    forward_need,
    forward_receipt,
    forwarded,
    forwards_of,
    open_forward,
)
from zhaoshang.service.views.needs import (
    department_needs,
    filtered_needs,
    need_action,
    need_attachment,
    need_create,
    need_detail,
    needs,
    needs_export,
)
from zhaoshang.service.views.project import designated, paired, project_service
from zhaoshang.service.views.receipts import (
    inbox,
    instruction_create,
    receipt_correct,
    receipt_create,
    receipt_detail,
    receipt_pdf,
)
from zhaoshang.service.views.second_round import (
    enterprise_second_round_create,
    second_round,
    second_round_create,
)
from zhaoshang.service.views.summary import summary, summary_rows

__all__ = [
    "days_left_text",
    "department_needs",
    "designated",
    "enterprise_second_round_create",
    "filtered_needs",
    "forward_need",
    "forward_receipt",
    "forwarded",
    "forwards_of",
    "inbox",
    "instruction_create",
    "need_action",
    "need_attachment",
    "need_create",
    "need_detail",
    "needs",
    "needs_export",
    "open_forward",
    "paired",
    "project_service",
    "receipt_correct",
    "receipt_create",
    "receipt_detail",
    "receipt_pdf",
    "second_round",
    "second_round_create",
    "summary",
    "summary_rows",
]
