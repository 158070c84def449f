"""A long list paged in parts (issue 19.3): a queryset whose order starts with a computed
key — the approvals worklist's "running cases first, then the paused, then those not yet
started" — cannot be read off an index; the database sorts every row the list holds to
cut one page. ``InParts`` reads the same rows in the same order as consecutive parts, each
a filter of the queryset with an order of plain columns that an index gives (a partial
index of the part's rows), so that a page costs its rows, not the list's.

For ``django.core.paginator.Paginator`` (``count()`` and slices):

- ``count()``: the rows of every part, counted in one query (one filtered count each);
- a slice: the keys of the parts the slice crosses, each part cut to its share (a
  sub-select with its own order and LIMIT/OFFSET) in one query, put in order; then those
  rows.

The parts must split the queryset's rows (each row in exactly one) in its order: every row
of a part comes before every row of the next, and within a part the part's order is the
queryset's. A part's condition and order are on the model's own columns, in ascending
order, none of them empty in the part's rows (they are sorted here, a page's worth).
``approvals/tests/test_worklist_parts.py`` checks a list read in parts against the list.

The counts and the cuts read the queryset without its annotations (``keys_only``): a filter
on an annotation has the annotation's expression written into its WHERE clause, so nothing
there needs them, and a sub-select resolves every annotation it carries again for its
outer query — the worklist's days left and lights were most of a page's build.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from functools import reduce

from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.lookups import Exact, In

Part = tuple[Q, Sequence[str]]


class LiteralIn(In):
    """``column IN ('a', 'b')`` with the values written in the statement, not bound: SQLite
    reads a partial index only when the query's own terms match the index's condition
    (``Index(condition=Q(status__in=…))``), and a bound parameter matches no literal. For
    a part's condition: ``Q(LiteralIn(F("status"), OPEN_STATUSES), …)``. Plain words only."""

    def process_rhs(self, compiler, connection):
        values = [str(value) for value in self.rhs]
        if not values or not all(re.fullmatch(r"[\w-]+", value) for value in values):
            raise ValueError(f"LiteralIn takes plain words: {values!r}")
        return "(" + ", ".join(f"'{value}'" for value in values) + ")", []


class LiteralExact(Exact):
    """``column = 'a'`` with the value written in the statement (``LiteralIn``'s reason):
    for a query that must match a partial index's condition, e.g. an index on rows
    ``~Q(rule_code="")`` read by ``~Q(LiteralExact(F("rule_code"), ""))`` — the negated
    term is the index's own. A plain word, or the empty string."""

    def process_rhs(self, compiler, connection):
        value = str(self.rhs.value if isinstance(self.rhs, Value) else self.rhs)
        if not re.fullmatch(r"[\w-]*", value):
            raise ValueError(f"LiteralExact takes a plain word: {value!r}")
        return f"'{value}'", []


def probed(condition) -> Case:
    """``condition`` (an ``Exists``) checked on each row read, as the walk that reads them
    means it to be: a list read off an index in its order, each row probed, the walk
    stopped at the page. PostgreSQL turns an EXISTS in a WHERE clause into a join, planned
    from its estimate of how many rows match — and with correlated filters (a person's
    projects all in their district) it estimates one where there are thousands, and
    compares each row read with every one of them (a leader's open milestones at a
    province of 500,000 projects: 18 ms, against 0.5 ms probed). Inside a CASE it stays a
    probe per row. For ``.filter(probed(Exists(...)))``."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def keys_only(queryset: QuerySet) -> QuerySet:
    """``queryset``'s rows, unordered, without its annotations, for reading their keys and
    counts (the module). A queryset whose annotations group or rank its rows (aggregates,
    windows) or that is combined or grouped is returned as it is (unordered)."""
    query = queryset.query
    if (
        query.group_by is not None
        or query.combinator
        or query.distinct_fields
        or any(
            getattr(a, "contains_aggregate", False) or getattr(a, "contains_over_clause", False)
            for a in query.annotations.values()
        )
    ):
        return queryset.order_by()
    lean = queryset.order_by()
    lean.query.annotations = {}
    lean.query.set_annotation_mask(None)
    return lean


class InParts:
    """``queryset``'s rows, in its order, read as ``parts`` (see the module). ``rows``:
    the page's rows from their keys (by default the queryset's rows with those keys); give
    it when the queryset's own filters would lead the database away from the keys (SQLite,
    without statistics, walks a district's index testing each row against the keys).
    ``index_terms``: terms every row of the queryset meets, added to each part's cut in
    the form of its index's condition (``LiteralIn``), not to the counts."""

    ordered = True  # (for the paginator: the order is the queryset's)

    def __init__(
        self,
        queryset: QuerySet,
        parts: Sequence[Part],
        rows: Callable[[list], QuerySet] | None = None,
        *,
        index_terms: Q | None = None,
    ):
        self.queryset = queryset
        self.keys = keys_only(queryset)
        self.parts = list(parts)
        self.rows = rows or (lambda keys: queryset.filter(pk__in=keys))
        self.index_terms = index_terms or Q()
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        """How many rows each part holds (one query, once): all of them, and each part's
        but the last (the rest)."""
        if self._counts is None:
            found = self.keys.aggregate(
                all=Count("pk"),
                **{f"part{n}": Count("pk", filter=q) for n, (q, _o) in enumerate(self.parts[:-1])},
            )
            counts = [found[f"part{n}"] for n in range(len(self.parts) - 1)]
            self._counts = [*counts, found["all"] - sum(counts)]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step is not None:
            raise ValueError("InParts takes slices without a step")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        wanted, offset = [], 0
        for (q, order), n in zip(self.parts, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, n)
            if low < high:
                part = self.keys.filter(q, self.index_terms).order_by(*order)
                part = part.values("pk")[low:high]
                wanted.append(Q(pk__in=part))
            offset += n
        if not wanted:
            return []
        return self._in_order(wanted)

    def _in_order(self, wanted: list[Q]) -> list:
        """The rows of the parts' cuts, in the queryset's order: their keys read in one
        query with their part and its order's columns, put in order here (a part's rows
        before the next part's, within a part by its columns), then their rows."""
        fields = sorted({f for _q, order in self.parts for f in order} - {"pk"})
        which = Case(
            *(When(q, then=Value(n)) for n, (q, _order) in enumerate(self.parts)),
            output_field=IntegerField(),
        )
        found = (
            self.queryset.model._base_manager.filter(reduce(operator.or_, wanted))
            .annotate(_part=which)
            .order_by()
            .values("pk", "_part", *fields)
        )

        def place(row):
            return (row["_part"], *(row[f] for f in self.parts[row["_part"]][1]))

        keys = [row["pk"] for row in sorted(found, key=place)]
        by_key = {row.pk: row for row in self.rows(keys).order_by()}
        return [by_key[pk] for pk in keys]
