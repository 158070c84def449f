from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``count`` and ``results`` (SPEC §19); ``page_size`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
