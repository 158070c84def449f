"""Inspection and fee requests through their life (SPEC §9; work plan: 按法律、法规确需收取的
规费以及对企业的检查评比，实行申报审批制度). Every state change is a function of this package; pages
and the API call them: ``requests`` (filing and the decision), ``visits`` (joint
inspections, the visit carried out and its rating) and ``reports`` (unapproved visits).

- A department files a request (purpose, legal basis, enterprises, date, people). Guards:
  the quiet days of each month (企业宁静日) need a reason for a routine visit, the yearly cap
  of visits per enterprise and department, emergencies filed within 1 working day after.
- The supervision office approves it (the cap is checked again; each visit gets its
  verification code) or rejects it with a reason; it may merge visits of several
  departments to one enterprise into a joint inspection (进一次门、查多项事).
- The filing department cancels it, or records that a visit took place; the enterprise
  rates the visit once.
- A visit or fee with no valid code is reported and becomes a complaint (乱检查/乱收费).

Bad input raises ``ValidationError`` keyed by the field and saves nothing.
"""

from zhaoshang.inspections.services.reports import report_unapproved_visit
from zhaoshang.inspections.services.requests import (
    approve_request,
    cancel_request,
    file_request,
    new_code,
    next_request_number,
    reject_request,
)
from zhaoshang.inspections.services.visits import merge_visits, rate_visit, record_visit

__all__ = [
    "approve_request",
    "cancel_request",
    "file_request",
    "merge_visits",
    "new_code",
    "next_request_number",
    "rate_visit",
    "record_visit",
    "reject_request",
    "report_unapproved_visit",
]
