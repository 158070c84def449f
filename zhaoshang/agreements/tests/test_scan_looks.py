"""The daily scan's two looks at the obligations on every run (issue 19.4) read a few index
entries, not the table through (0.025 and 0.014 s each at 300,000 obligations): whether any
has a blank title (``monitoring.sources._untitled``) and whether any is of a kind (the
investment schedule's points, ``monitoring.sources``)."""

from __future__ import annotations

from zhaoshang.agreements.choices import ObligationKind
from zhaoshang.agreements.models import Obligation
from zhaoshang.testing.plans import reads_index


def test_whether_any_obligation_is_untitled_is_read_off_its_partial_index(db):
    assert reads_index(Obligation.objects.filter(title="").order_by(), "obligation_untitled")


def test_whether_any_obligation_is_of_a_kind_is_read_off_the_kinds_index(db):
    found = Obligation.objects.filter(kind=ObligationKind.INVESTMENT).order_by()
    assert reads_index(found, "obligation_kind")
