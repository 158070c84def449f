"""The rows of the project registry (``projects/list.html``), drawn in Python: the list
showed 25 of them through the template's variables, filters and tags, a good part of the
page's work (issue 19.2). The HTML is the same as the template row drew, byte for byte
(``projects/tests/test_list_rows.py`` renders the former row beside this one)."""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from zhaoshang.core.drawing import display
from zhaoshang.core.links import pk_url
from zhaoshang.core.templatetags.zs import condition_badge, stage_badge, wan

register = template.Library()


def _or_dash(value) -> str:
    """``{{ value|default:"—" }}``."""
    return conditional_escape(value) if value else "—"


@register.simple_tag
def project_row(p, show_district) -> str:
    """One ``<tr>`` of the registry (its cells as the template drew them)."""
    esc = conditional_escape
    cells = ["\n    <tr>\n      "]
    if show_district:
        cells.append(f'<td class="text-nowrap">{esc(p.district)}</td>')
    green = ""
    if p.is_green_channel:
        # ``{% translate %}`` of a literal is not escaped.
        green = (
            f' <span class="badge text-bg-success" title="{gettext("Green channel")}">'
            '<i class="bi bi-lightning-charge" aria-hidden="true"></i></span>'
        )
    signed = format_date(p.signed_on, "Y-m-d") if p.signed_on else ""
    cells.append(
        f'\n      <td class="text-nowrap">{esc(p.code)}</td>\n'
        f'      <td><a href="{esc(pk_url("projects:detail", p.pk))}">{esc(p.name)}</a>'
        f"{green} {condition_badge(p)}</td>\n"
        f"      <td>{_or_dash(p.enterprise)}</td>\n"
        f'      <td class="text-nowrap">{esc(p.park)}</td>\n'
        f'      <td class="text-nowrap">{_or_dash(p.industry)}</td>\n'
        f"      <td>{esc(display(p, 'level'))}</td>\n"
        f"      <td>{stage_badge(p)}</td>\n"
        f'      <td class="text-end">{esc(wan(p.total_investment))}</td>\n'
        f'      <td class="text-end">{esc(wan(p.funds_in_place))}</td>\n'
        f'      <td class="text-nowrap">{_or_dash(signed)}</td>\n'
        "    </tr>\n  "
    )
    return mark_safe("".join(cells))
