import functools

from rest_framework.pagination import PageNumberPagination

from zhaoshang.core.paging import CappedCountPaginator


class KeyedPaginator(CappedCountPaginator):
    """Django's paginator, counted whole (never capped: the API's ``count`` is every row's);
    with ``with_page`` a page read as its keys with the count in one statement, then its
    rows by key (``CappedCountPaginator``). Anything it cannot answer so (a number that is
    not one, a page past the matches) goes as Django's ``page`` does: the same
    ``InvalidPage`` for the same request."""

    def __init__(self, object_list, per_page, *args, whole=True, **kwargs):
        super().__init__(object_list, per_page, *args, whole=whole, **kwargs)

    def page(self, number):
        if self.with_page is not None and not self.orphans:
            try:
                wanted = int(number)
            except (TypeError, ValueError):
                wanted = None
            page = self._keyed_page(wanted) if wanted is not None else None
            if page is not None:
                return page
        return super().page(number)


class StandardPagination(PageNumberPagination):
    """``count`` and ``results`` (SPEC §19); ``page_size`` up to 500.

    A list searched off the search's index (its queryset ``sought``: the projects' ``q``,
    its matches the index's candidates, however large the district) reads its page's keys
    with the count in one statement and the rows by key (the view's own queryset): the
    candidates read once, and the related rows joined for the page alone (鑫 at 50,000
    projects: 1,250 matches, each joined to its enterprise and sorted for a page of 50)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = KeyedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = KeyedPaginator
        if getattr(queryset, "sought", False) and view is not None:
            rows = view.get_queryset

            def with_page(keys):
                return rows().filter(pk__in=keys)

            self.django_paginator_class = functools.partial(KeyedPaginator, with_page=with_page)
        return super().paginate_queryset(queryset, request, view)
