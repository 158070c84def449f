"""The selects, inputs and labels drawn in Python (``core.widgets``, issue 19.2) are the HTML
Django's templates draw, byte for byte: on every form of the listed pages (each page drawn
both ways, compared whole) and on a form gathering the odd cases (groups, marked-safe and
escaped labels, numbers and dates as labels, lazy labels, attributes set to True and
False, several chosen values, every kind of input with markup, numbers and dates in it)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from zhaoshang.core import widgets
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.org.models import Department
from zhaoshang.testing.clients import SESSIONS, client_with_session

pytestmark = pytest.mark.django_db

# (user, URL name, argument): the lists with their filters and the forms with long selects.
PAGES = [
    ("bureau", "projects:list", None),
    ("city", "projects:list", None),
    ("bureau", "projects:create", None),
    ("bureau", "projects:edit", "project"),
    ("department", "approvals:worklist", None),
    ("bureau", "approvals:worklist", None),
    ("bureau", "monitoring:board", None),
    ("supervisor", "meetings:board", None),
    ("supervisor", "meetings:create", None),
    ("supervisor", "meetings:action_item_create", None),
    ("bureau", "complaints:create", None),
    ("bureau", "kpis:index", None),
    ("city", "kpis:index", None),
]
# A new CSRF mask each response.
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _templated(monkeypatch):
    """Every drawn select and input drawn by Django's templates instead."""

    def render(self, name, value, attrs=None, renderer=None):
        return super(widgets.DrawnOptions, self).render(name, value, attrs, renderer)

    def render_input(self, name, value, attrs=None, renderer=None):
        return super(widgets.DrawnInput, self).render(name, value, attrs, renderer)

    def render_form(self, template_name=None, context=None, renderer=None):
        return super(BootstrapMixin, self).render(template_name, context, renderer)

    monkeypatch.setattr(widgets.DrawnOptions, "render", render)
    monkeypatch.setattr(widgets.DrawnInput, "render", render_input)
    monkeypatch.setattr(BootstrapMixin, "render", render_form)


def _page(user: str, url: str) -> bytes:
    response = client_with_session(SESSIONS[user]).get(url)
    assert response.status_code == 200, (user, url)
    return _TOKEN.sub(b"", response.content)


@pytest.mark.parametrize(("user", "name", "arg"), PAGES)
def test_the_pages_are_the_same_as_drawn_by_templates(world, monkeypatch, user, name, arg):
    url = reverse(name, args=[world.project1_a.pk] if arg == "project" else [])
    drawn_calls = []
    draw = widgets.draw_select
    monkeypatch.setattr(widgets, "draw_select", lambda w: drawn_calls.append(1) or draw(w))
    drawn = _page(user, url)
    assert drawn_calls, "no select drawn in Python"
    with monkeypatch.context() as patched:
        _templated(patched)
        templated = _page(user, url)
    assert b"<select" in templated
    assert drawn == templated


class OddForm(BootstrapMixin, forms.Form):
    required_css_class = "zs-required"
    grouped = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("组<一>", [("a&b", 'A "甲" & <b>'), ("c", mark_safe("<i>C</i>"))]),
            ("d", gettext_lazy("All")),
            (3, 2026),
            ("e", Decimal("1234.50")),
            ("f", datetime.date(2026, 5, 1)),
        ],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")])
    departments = forms.ModelChoiceField(queryset=Department.objects.all(), required=False)
    people = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(), required=False, widget=forms.SelectMultiple
    )
    text = forms.CharField(required=False, max_length=5)
    number = forms.DecimalField(required=False, min_value=1)
    day = forms.DateField(required=False)
    mail = forms.EmailField(required=False)
    link = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grouped"].widget.attrs.update(
            {"data-x": True, "data-off": False, "data-q": 'x"<y>', "data-n": 5}
        )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"grouped": "a&b", "several": ["1", "3"]},
        {"grouped": "3", "several": ["9"], "departments": "x"},
        {
            "text": '<b>"x"</b> & y',
            "number": "0.5",
            "day": "2026-05-01",
            "mail": "a@b.c",
            "link": "https://x.y/?a=1&b=<2>",
            "secret": 's&"',
            "hidden": "七",
        },
        {"number": "1234.50", "day": "bad", "hidden": "3"},
    ],
)
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_odd_choices_are_the_same_as_drawn_by_templates(world, monkeypatch, data, auto_id):
    form = OddForm(data, auto_id=auto_id)
    if data:
        form.is_valid()  # the fields' errors mark the widgets
    names = list(form.fields)
    drawn = [str(form[name]) + form[name].label_tag() for name in names]
    drawn += [form["grouped"].label_tag("<i>x</i> ", attrs={"data-x": True}, tag="span")]
    drawn += [form["several"].label_tag(mark_safe("<i>y</i>?"), label_suffix=" ")]
    drawn += [form["several"].label_tag(" z", label_suffix=" ")]
    drawn_kinds = (widgets.DrawnOptions, widgets.DrawnInput)
    assert all(isinstance(form.fields[n].widget, drawn_kinds) for n in names)
    with monkeypatch.context() as patched:
        _templated(patched)
        templated = [str(form[name]) + form[name].label_tag() for name in names]
        templated += [form["grouped"].label_tag("<i>x</i> ", attrs={"data-x": True}, tag="span")]
        templated += [form["several"].label_tag(mark_safe("<i>y</i>?"), label_suffix=" ")]
        templated += [form["several"].label_tag(" z", label_suffix=" ")]
    assert drawn == templated
    assert "<optgroup" in drawn[0] and "&lt;b&gt;" in drawn[0] and "<i>C</i>" in drawn[0]
