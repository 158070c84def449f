"""Print views of the lists a cadre prints (台账): the lights board, the supervision board,
the complaint desk and the project registry.

Each list has a print route that shows ALL the rows matching the list's current filters (not
one page), scoped like the list (``visible_to``), laid out on A4 landscape by
``print_base.html``: the district's name as heading, the list's title, the filters, the row
count, who printed it and when, and page numbers. No navigation and no buttons on paper.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhaoshang.core import clock, roles

# Query parameters that are not filters (the order and the page of the screen list).
NOT_FILTERS = {"sort", "page"}


def print_heading(user) -> str:
    """The heading of the printed sheet: the user's district with its city (锦川市东城区); for
    the city level, the city (or "all districts" when no district names one)."""
    if not roles.sees_all_districts(user) and user.district_id:
        district = user.district
        return f"{district.city}{district.name}"
    # The district model by label: core imports no app (org sits above it).
    districts = apps.get_model("org", "District").objects
    city = districts.exclude(city="").values_list("city", flat=True).first()
    return city or _("All districts")


def _choice_label(field, value) -> str:
    for key, label in field.choices:
        if isinstance(label, (list, tuple)):  # an option group
            for sub_key, sub_label in label:
                if str(sub_key) == str(value):
                    return str(sub_label)
        elif str(key) == str(value):
            return str(label)
    return str(value)


def filter_summary(form) -> list[tuple[str, str]]:
    """The filters the list was printed with, as (label, value) pairs in the form's order;
    empty when the form is unbound or invalid (the list then shows everything)."""
    if form is None or not form.is_bound or not form.is_valid():
        return []
    pairs = []
    for name, field in form.fields.items():
        if name in NOT_FILTERS:
            continue
        value = form.cleaned_data.get(name)
        if value is None or value == "" or value is False or value == []:
            continue
        if isinstance(field, forms.BooleanField):
            text = _("Yes")
        elif isinstance(field, forms.ModelMultipleChoiceField):
            text = "、".join(str(v) for v in value)
        elif isinstance(field, forms.ModelChoiceField):
            text = str(value)
        elif isinstance(field, forms.ChoiceField):
            text = _choice_label(field, value)
        else:
            text = str(value)
        pairs.append((str(field.label or name), text))
    return pairs


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string (for a page margin box)."""
    out = []
    for char in str(text):
        if char in '\\"<>&' or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe("".join(out))  # noqa: S308 - every special character is escaped above


def print_page(request, template: str, *, title: str, rows, form=None, back_url: str, **extra):
    """Render a list's print view: every row of ``rows`` (the list's filtered, scoped
    queryset) on the shared A4 landscape layout."""
    rows = list(rows)
    heading = print_heading(request.user)
    query = request.GET.urlencode()
    context = {
        "print_title": title,
        "print_heading": heading,
        "print_running_title": css_string(f"{heading} · {title}"),
        "printed_at": timezone.localtime(clock.now()),
        "printed_by": request.user.display_name,
        "print_filters": filter_summary(form),
        "rows": rows,
        "row_count": len(rows),
        "back_url": f"{back_url}?{query}" if query else back_url,
        "show_district": roles.sees_all_districts(request.user),
        **extra,
    }
    return render(request, template, context)
