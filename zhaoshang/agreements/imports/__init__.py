"""Bringing a district's ledger of agreements in (补录, issue #20): the investment agreements
with their terms and investment schedule, and the duties on both sides.

- ``AgreementImporter`` (kind "agreements"): one row per project's investment agreement
  (投资协议), recorded through ``save_agreement`` as the agreement page records it, so each
  filled term and each date of the investment schedule becomes the enterprise's obligation
  kept in step with the agreement. The project is named by its code or its exact name and
  must be signed (a projects sheet gives its stage and signing date first). The signed text
  is not part of a ledger: the agreement is recorded without it (as the page allows) and the
  result counts the agreements whose scan is still to be uploaded.
- ``ObligationImporter`` (kind "obligations"): further duties of the enterprise or of a
  department (双方义务), through ``add_obligations`` with its checks; a duty met or waived
  before the platform kept it carries its date (met on / waived on), recorded as imported.
"""

from zhaoshang.agreements.imports.agreements import AgreementImporter
from zhaoshang.agreements.imports.obligations import ObligationImporter
from zhaoshang.agreements.imports.parsers import Schedule

__all__ = ["AgreementImporter", "ObligationImporter", "Schedule"]
