"""The rows of the action items (``meetings/_rows.html``: the supervision board and the
owners' worklist), drawn in Python: each row included four small templates (light, due
date, source, status) and reversed its URLs, a good part of the board's work (issue 19.2).
The HTML is the same as the template row drew, byte for byte
(``meetings/tests/test_item_rows.py`` renders the former row beside this one). The small
templates stay for the pages that show one item."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from zhaoshang.core.drawing import deadline_light, display, due_date, or_dash, shown
from zhaoshang.core.links import pk_url

register = template.Library()


# ``{% translate %}`` of a literal is not escaped: the labels go in as translated.
def item_light(i) -> str:
    """``{% include "meetings/_light.html" %}``."""
    if not i.is_open:
        return '<span class="text-muted" data-light="none">—</span>\n'
    light = getattr(i, "light", None)
    return deadline_light(light if light in ("red", "yellow") else "green")


def item_due(i) -> str:
    """``{% include "meetings/_due.html" %}``."""
    return due_date(i.due_on, i.due_is_provisional)


def item_source(i) -> str:
    """``{% include "meetings/_source.html" %}``."""
    if not i.decision_id:
        return shown(display(i, "source")) + "\n"
    decision = i.decision
    number = gettext("decision %(n)s") % {"n": shown(decision.number)}
    return (
        f'<a href="{shown(pk_url("meetings:detail", decision.meeting_id))}" class="text-reset">'
        f'{shown(decision.meeting.number)}</a> <span class="text-muted small">{number}</span>\n'
    )


def item_status(i) -> str:
    """``{% include "meetings/_status.html" %}``."""
    status = shown(i.status)
    return (
        f'<span class="badge zs-ai-{status}" data-status="{status}">'
        f"{shown(display(i, 'status'))}</span>\n"
    )


@register.simple_tag
def item_row(i, show_district, own_department) -> str:
    """One ``<tr>`` of the action items (its cells as ``_rows.html`` drew them)."""
    out = [f'\n    <tr data-item="{shown(i.pk)}">\n      ']
    if show_district:
        out.append(f'<td class="text-nowrap">{shown(i.district)}</td>')
    is_open = i.is_open
    light = getattr(i, "light", None)
    days_css = days_left = ""
    if is_open:
        if light == "red":
            days_css = " zs-days-overdue"
        elif light == "yellow":
            days_css = " zs-days-soon"
        left = getattr(i, "days_left", None)
        days_left = shown(left) if left is not None else ""
    url = shown(pk_url("meetings:action_item", i.pk))
    project = ""
    if i.project_id:
        project = (
            f'<div class="small text-muted">{shown(i.project.code)} {shown(i.project.name)}</div>'
        )
    out.append(
        f"\n      <td>{item_light(i)}</td>\n"
        f'      <td class="text-nowrap{days_css}" data-days-left="{days_left}">'
        f"{or_dash(getattr(i, 'days_left_text', ''))}</td>\n"
        f"      <td>{item_due(i)}</td>\n"
        f'      <td class="text-nowrap"><a href="{url}">{shown(i.number)}</a></td>\n'
        f'      <td><a href="{url}" class="text-reset">{shown(i.title)}</a>{project}</td>\n      '
    )
    if not own_department:
        department = i.owner_department
        out.append(
            f'<td class="text-nowrap">{shown(department.short_name or department.name)}</td>'
        )
    person = i.owner_person.display_name if i.owner_person is not None else ""
    out.append(
        f'\n      <td class="text-nowrap">{or_dash(person)}</td>\n'
        f'      <td class="small">{item_source(i)}</td>\n'
        f"      <td>{item_status(i)}</td>\n"
        "    </tr>\n  "
    )
    return mark_safe("".join(out))
