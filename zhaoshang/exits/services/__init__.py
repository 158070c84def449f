"""The exit mechanism through its life (退出机制, SPEC §11). Every state change is a
function of this package; the pages, the API, the ``exits_scan`` command and the daily scan
call them: ``rules`` (month arithmetic, the rule table and its clearing facts), ``scan``
(raising, clearing and reopening warnings), ``steps`` (notice, clearance, land recovery)
and ``delay`` (the delay attribution).

- ``dates`` is the exit clock: a rule's due date is the investment agreement's own date
  for its fact (start, production, the last benefit term; the land the agreement owes)
  when it has one, else the anchor date plus the rule's months (``add_months``, month ends
  clamped); the government's blockers (overdue approval cases, unmet department
  obligations, missed commitment milestones, open problems assigned to a department, land
  not delivered) hold the clock for as long as each lasts, overlapping ones counted once,
  and the due date moves out by the held working days by itself (``exit_clock``,
  ``exit_clocks``; ``rule_clocks`` for the other apps: the land clean-up's 建而不产).
- ``thresholds`` is the district's one table of thresholds (investment intensity, per-mu
  tax, plot ratio; by park and industry): the benefit rule's fallback where the agreement
  sets no target, and the land clean-up's low-efficiency list (``ThresholdBook``,
  ``threshold_for``; ``threshold_expression`` in SQL).
- ``scan`` raises a warning for each project whose clock has run out without the rule's
  fact, once per project and rule; an enterprise rule needs the land, and a signed project
  without land is caught by the government's own rule (签约未供地), whose warning takes no
  step against the enterprise. It closes open warnings whose project has met the fact
  since, keeps each open warning's clock up to date, excludes a warning a government
  delay moved back ahead (or holds) and puts it back once the moved date has passed. Safe
  to run twice.
- Clearing facts: *started* — the project has a start date (or a later stage date);
  *production* — it has a production date (or a capacity date); *benefit* — at least one
  of: an enterprise obligation of the agreement for annual tax, investment intensity or
  annual output confirmed as met; the recorded annual tax at or above the agreed annual
  tax (the same as the per-mu tax at or above the agreed per-mu tax); the recorded
  investment intensity at or above the agreed intensity; where the agreement sets no tax
  (intensity) target, the per-mu tax (intensity) at or above the district's threshold
  for the project's park and industry (``thresholds``).
- Steps, in order, each with a document, a date and a note: rectification notice with a
  deadline (限期整改通知) → clearance decision after that deadline (清退决定) → land
  recovery (收回土地). Only the supervision office, the bureau and admins record them.
- Delay attribution (因企业自身原因): ``government_delay`` gives the held working days and
  intervals of a warning; the supervision office confirms them with a reason
  (``confirm_delay``, once); the date does not wait for it.

Bad input raises ``ValidationError`` keyed by the field and saves nothing; a stale
``expected_version`` raises ``ConcurrentEditError`` and saves nothing.
"""

from zhaoshang.exits.services.dates import (
    DelayCause,
    ExitClock,
    exit_clock,
    exit_clocks,
    rule_clocks,
)
from zhaoshang.exits.services.delay import confirm_delay, government_delay, warning_clock
from zhaoshang.exits.services.rules import (
    _fact_text,
    add_months,
    ensure_default_rules,
    fact_met_q,
    land_q,
    last_anchor_due_before,
)
from zhaoshang.exits.services.scan import _candidates, clear_warning, raise_warning, scan
from zhaoshang.exits.services.steps import (
    decide_clearance,
    issue_notice,
    record_step,
    recover_land,
)
from zhaoshang.exits.services.thresholds import (
    Threshold,
    ThresholdBook,
    threshold_expression,
    threshold_for,
)

__all__ = [
    "Threshold",
    "ThresholdBook",
    "threshold_expression",
    "threshold_for",
    "DelayCause",
    "ExitClock",
    "exit_clock",
    "exit_clocks",
    "land_q",
    "rule_clocks",
    "warning_clock",
    "_candidates",
    "_fact_text",
    "add_months",
    "clear_warning",
    "confirm_delay",
    "decide_clearance",
    "ensure_default_rules",
    "fact_met_q",
    "government_delay",
    "issue_notice",
    "last_anchor_due_before",
    "raise_warning",
    "record_step",
    "recover_land",
    "scan",
]
