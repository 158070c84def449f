"""The API's ordering of lists with empty dates (``?ordering=due_on``): rows without a
value come last whichever way the list is ordered."""

from __future__ import annotations

from django.db.models import F
from rest_framework.filters import OrderingFilter


class NullsLastOrderingFilter(OrderingFilter):
    """Rows without a value (a case without a due date …) come last whichever way the list
    is ordered, on SQLite as on PostgreSQL (which disagree about where NULL sorts); ties
    are broken by id."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        terms = []
        for term in ordering:
            expression = F(term.lstrip("-"))
            if term.startswith("-"):
                terms.append(expression.desc(nulls_last=True))
            else:
                terms.append(expression.asc(nulls_last=True))
        return queryset.order_by(*terms, "id")
