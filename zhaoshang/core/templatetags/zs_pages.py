"""The page links of every paginated list (``core/_pagination.html``): Django's elided page
range, with an ellipsis (…) wherever pages are left out."""

from __future__ import annotations

from django import template

register = template.Library()

ON_EACH_SIDE = 2  # pages shown either side of the current one
ON_ENDS = 1  # pages shown at each end


@register.simple_tag
def page_links(page) -> list[int | None]:
    """The page numbers to link for ``page`` (a Django ``Page``), ``None`` for an ellipsis:
    ``[1, None, 4, 5, 6, 7, 8, None, 20]``; every page when there are few."""
    paginator = page.paginator
    numbers = paginator.get_elided_page_range(
        page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS
    )
    return [None if n == paginator.ELLIPSIS else n for n in numbers]
