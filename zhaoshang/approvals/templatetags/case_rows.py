"""The rows of the approvals worklist (``approvals/worklist.html``), drawn in Python: each
row included three small templates (its light, due date and status) and reversed two URLs,
a good part of the page's work (issue 19.2). The HTML is the same as the template row drew,
byte for byte (``approvals/tests/test_case_rows.py`` renders the former row beside this
one). The small templates stay for the pages that show one case."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from zhaoshang.core.drawing import deadline_light, display, due_date, or_dash, shown, ymd
from zhaoshang.core.links import pk_url

register = template.Library()


# ``{% translate %}`` of a literal is not escaped: the labels go in as translated.
def case_light(c) -> str:
    """``{% include "approvals/_light.html" %}``."""
    if c.paused and c.is_open:
        return (
            '<span class="badge text-bg-secondary" data-light="paused"><i class="bi '
            f'bi-pause-circle me-1" aria-hidden="true"></i>{gettext("Paused")}</span>\n'
        )
    return deadline_light(getattr(c, "light", None)) or '<span class="text-muted">—</span>\n'


def case_due(c) -> str:
    """``{% include "approvals/_due.html" %}``."""
    if not c.due_on:
        return (
            '<span class="text-muted" title="'
            + gettext("The clock starts when the materials are complete.")
            + '">'
            + gettext("not started")
            + "</span>\n"
        )
    return due_date(c.due_on, c.due_is_provisional)


def case_status(c) -> str:
    """``{% include "approvals/_status.html" %}``."""
    return f'<span class="badge zs-case-{shown(c.status)}">{shown(display(c, "status"))}</span>\n'


@register.simple_tag
def case_row(c, show_district, own_department) -> str:
    """One ``<tr>`` of the worklist (its cells as the template drew them)."""
    out = [f'\n    <tr data-case="{shown(c.pk)}">\n      ']
    if show_district:
        out.append(f'<td class="text-nowrap">{shown(c.district)}</td>')
    days_left = getattr(c, "days_left", None)
    days_css = ""
    if not c.paused and days_left is not None:
        if days_left < 0:
            days_css = " zs-days-overdue"
        elif days_left <= 1:
            days_css = " zs-days-soon"
    extended = ""
    if c.extended:
        extended = (
            ' <span class="badge text-bg-warning" title="'
            + gettext("Extended (special circumstances)")
            + '">'
            + gettext("extended")
            + "</span>"
        )
    project = c.project
    green = ""
    if project.is_green_channel:
        green = (
            f' <span class="badge text-bg-success" title="{gettext("Green channel")}">'
            '<i class="bi bi-lightning-charge" aria-hidden="true"></i></span>'
        )
    out.append(
        f"\n      <td>{case_light(c)}</td>\n"
        f'      <td class="text-nowrap{days_css}" data-days-left="'
        f'{shown(days_left) if days_left is not None else ""}">'
        f"{or_dash(getattr(c, 'days_left_text', ''))}</td>\n"
        f"      <td>{case_due(c)}{extended}</td>\n"
        f'      <td><a href="{shown(pk_url("approvals:case", c.pk))}">{shown(c.item.name)}</a>'
        "</td>\n"
        f'      <td><a href="{shown(pk_url("approvals:project", c.project_id))}" '
        f'class="text-reset">{shown(project.name)}</a>{green}<div class="small text-muted">'
        f"{shown(project.code)}</div></td>\n      "
    )
    if not own_department:
        department = c.department
        out.append(
            f'<td class="text-nowrap">{shown(department.short_name or department.name)}</td>'
        )
    agent = c.agent.display_name if c.agent is not None else ""
    out.append(
        f"\n      <td>{case_status(c)}</td>\n"
        f'      <td class="text-nowrap">{or_dash(ymd(c.materials_complete_on))}</td>\n'
        f'      <td class="text-nowrap">{or_dash(agent)}</td>\n'
        "    </tr>\n  "
    )
    return mark_safe("".join(out))
