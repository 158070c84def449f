"""Searchable selects (issue 18.5): the long dropdowns of people, enterprises, projects and
departments become a text box that filters by the label or by its pinyin (initials or
full: "hbj" finds 环保局), drawn by ``static/zs/select.js``; without JavaScript they stay
plain selects.

Each option carries ``data-pinyin`` ("<initials> <full pinyin>", lower case) and, for a
person, ``data-department`` (the person's department id), so that a people select with
``depends_on="<field>"`` is narrowed in the browser to the department chosen in that field
of the same form. Choices of the models in ``PINYIN_ORDERED`` are listed in pinyin order of
their label (stable: equal keys keep the queryset's order; an empty choice stays first).

``core.forms.BootstrapMixin`` switches every ``ModelChoiceField`` /
``ModelMultipleChoiceField`` drawn as a plain select to these widgets; the widget decides
when it renders, from the model of its queryset, whether it is searchable. Core imports no
domain app: the models are named by their labels."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from zhaoshang.core import pinyin

# Listed in pinyin order and searchable.
PINYIN_ORDERED = frozenset(
    {"org.user", "org.department", "enterprises.enterprise", "projects.project"}
)
# Searchable, in the order the form gives (by project code, by number …).
SEARCH_ONLY = frozenset({"approvals.approvalcase", "approvals.approvalitem", "service.need"})
# Whose choices grow with the district (issue 19.3): drawn with the chosen option(s) only
# and filled as the user types from the scoped JSON endpoint named here (at most 20
# suggestions, ``select.js``); the form still validates the posted id against its own
# queryset. Named by URL name: core imports no domain app.
AUTOCOMPLETE = {
    "projects.project": "projects:autocomplete",
    "enterprises.enterprise": "enterprises:autocomplete",
}


def label_pinyin(label: str) -> tuple[str, str]:
    """(initials, full pinyin) of a label, lower case, letters and digits only (computed:
    imports pypinyin; an option of a person, department or enterprise reads its stored keys
    instead, ``core.pinyin``)."""
    return pinyin.keys(label)


def _keys(instance, label: str) -> tuple[str, str]:
    # A project keeps the pinyin of its name (its label starts with its code).
    full = getattr(instance, "name_pinyin", None)
    if full:
        return getattr(instance, "name_initials", "") or label_pinyin(label)[0], full
    # A person, department or enterprise: the keys stored with its name (issue 19.5).
    return pinyin.stored_keys(instance, label) or label_pinyin(label)


def pinyin_sorted(items, key=str) -> list:
    """``items`` (a queryset, a list) in pinyin order of ``key(item)``; stable."""
    return sorted(items, key=lambda item: label_pinyin(str(key(item)))[1])


def _instance(value):
    return getattr(value, "instance", None)


# -- the options drawn in Python ---------------------------------------------------------------
#
# Django draws a select through ``select.html``, which includes ``select_option.html`` and
# ``attrs.html`` for each option: a long list cost each page milliseconds (issue 19.2). The
# HTML drawn here is the same, byte for byte (``core/tests/test_drawn_selects.py`` renders
# every select of the pages' forms both ways); a widget whose templates or renderer differ
# from Django's own is drawn by its templates. The plain inputs (``draw_input``) and the
# fields' labels (``draw_label``, through ``core.forms.BootstrapMixin.render``) likewise.

_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"
# What a template's ``{{ value }}`` gets from the forms renderer's context.
_CONTEXT = SimpleNamespace(autoescape=True, use_tz=None, use_l10n=None)


def _shown(value) -> str:
    """``{{ value }}`` in a template."""
    if type(value) is str:
        return conditional_escape(value)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in a template."""
    text = stringformat(value, "s")
    if isinstance(value, SafeData):
        text = mark_safe(text)
    return render_value_in_context(text, _CONTEXT)


def _attrs_html(attrs) -> str:
    """``attrs.html``."""
    html = ""
    for name, value in attrs.items():
        if value is not False:
            html += " " + _shown(name)
            if value is not True:
                html += '="' + _formatted(value) + '"'
    return html


def draw_select(widget: dict) -> str:
    """``select.html`` for the context ``widget`` of a Select or SelectMultiple."""
    parts = ['<select name="', _shown(widget["name"]), '"', _attrs_html(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append('\n  <optgroup label="' + _shown(group_name) + '">')
        for option in group_choices:
            parts += [
                '\n  <option value="',
                _formatted(option["value"]),
                '"',
                _attrs_html(option["attrs"]),
                ">",
                _shown(option["label"]),
                "</option>\n",
            ]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_LABEL = "django/forms/label.html"


def draw_label(template_name: str, context: dict, renderer) -> str | None:
    """``label.html`` (``BoundField.label_tag``) for ``context``, or None when the template
    or the renderer is not Django's own (drawn by the template then)."""
    if template_name != _LABEL or type(renderer) is not DjangoTemplates:
        return None
    label = _shown(context["label"])
    if context["use_tag"]:
        tag = _shown(context["tag"])
        label = f"<{tag}{_attrs_html(context['attrs'] or {})}>{label}</{tag}>"
    return mark_safe(label.strip())  # as the renderer strips the template's output


# The templates of the inputs: each includes ``input.html`` and nothing else.
_INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "number", "email", "url", "password", "hidden", "date")
)


def draw_input(widget: dict) -> str:
    """``input.html`` for the context ``widget`` of an Input."""
    html = f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
    if widget["value"] is not None:
        html += f' value="{_formatted(widget["value"])}"'
    return html + _attrs_html(widget["attrs"]) + ">"


class DrawnInput:
    """A text, number, e-mail, URL, password, hidden or date input drawn by ``draw_input``
    rather than by its templates."""

    def render(self, name, value, attrs=None, renderer=None):
        if (
            self.template_name not in _INPUTS
            or type(renderer or get_default_renderer()) is not DjangoTemplates
        ):
            return super().render(name, value, attrs, renderer)
        return mark_safe(draw_input(self.get_context(name, value, attrs)["widget"]))


class DrawnTextInput(DrawnInput, forms.TextInput):
    pass


class DrawnNumberInput(DrawnInput, forms.NumberInput):
    pass


class DrawnEmailInput(DrawnInput, forms.EmailInput):
    pass


class DrawnURLInput(DrawnInput, forms.URLInput):
    pass


class DrawnPasswordInput(DrawnInput, forms.PasswordInput):
    pass


class DrawnHiddenInput(DrawnInput, forms.HiddenInput):
    pass


class DrawnDateInput(DrawnInput, forms.DateInput):
    pass


# Django's input: its drawn twin (same attributes, a subclass: ``isinstance`` holds).
_DRAWN_INPUTS = {
    forms.TextInput: DrawnTextInput,
    forms.NumberInput: DrawnNumberInput,
    forms.EmailInput: DrawnEmailInput,
    forms.URLInput: DrawnURLInput,
    forms.PasswordInput: DrawnPasswordInput,
    forms.HiddenInput: DrawnHiddenInput,
    forms.DateInput: DrawnDateInput,
}


class DrawnOptions:
    """A Select / SelectMultiple drawn by ``draw_select`` rather than by its templates."""

    def render(self, name, value, attrs=None, renderer=None):
        if (
            self.template_name != _SELECT
            or self.option_template_name != _OPTION
            or type(renderer or get_default_renderer()) is not DjangoTemplates
        ):
            return super().render(name, value, attrs, renderer)
        return mark_safe(draw_select(self.get_context(name, value, attrs)["widget"]))


class DrawnSelect(DrawnOptions, forms.Select):
    pass


class DrawnSelectMultiple(DrawnOptions, forms.SelectMultiple):
    pass


class _Searchable(DrawnOptions):
    """What the single and the multiple select share. ``searchable``: True, False, or None
    (decide from the queryset's model); ``pinyin_order`` likewise."""

    def __init__(
        self,
        attrs=None,
        choices=(),
        *,
        depends_on=None,
        searchable=True,
        pinyin_order=None,
        autocomplete=None,
    ):
        super().__init__(attrs, choices)
        self.depends_on = depends_on
        self.searchable = searchable
        self.pinyin_order = pinyin_order
        # None: by the model (AUTOCOMPLETE); False: every option; a URL name: that endpoint
        # (a field opting in, e.g. the district's open approval cases of a meeting).
        self.autocomplete = autocomplete
        # The scope the endpoint is asked for (``offer_scope``): "" = what the user sees.
        self.autocomplete_scope = ""

    def _model_label(self) -> str:
        queryset = getattr(self.choices, "queryset", None)
        return queryset.model._meta.label_lower if queryset is not None else ""

    def is_searchable(self) -> bool:
        if self.searchable is not None:
            return self.searchable
        label = self._model_label()
        return label in PINYIN_ORDERED or label in SEARCH_ONLY

    def in_pinyin_order(self) -> bool:
        if self.pinyin_order is not None:
            return self.pinyin_order
        return self._model_label() in PINYIN_ORDERED

    def autocomplete_url(self) -> str | None:
        url_name = self.autocomplete
        if not isinstance(url_name, str):
            url_name = AUTOCOMPLETE.get(self._model_label())
        if not url_name or self.autocomplete is False or self.depends_on:
            return None
        from django.urls import reverse
        from django.utils.http import urlencode

        url = reverse(url_name)
        if self.autocomplete_scope:
            url += "?" + urlencode({"scope": self.autocomplete_scope})
        return url

    def get_context(self, name, value, attrs):
        self._enhanced = self.is_searchable()
        self._people = self._model_label() == "org.user"
        self._autocomplete = self.autocomplete_url() if self._enhanced else None
        attrs = dict(attrs or {})
        if self._autocomplete:
            attrs["data-zs-autocomplete"] = self._autocomplete
        if self._enhanced:
            attrs["data-zs-search"] = ""
            if self.depends_on:
                attrs["data-depends-on"] = self.depends_on
        return super().get_context(name, value, attrs)

    def _keys_of(self, value, label) -> tuple[str, str]:
        # Once per option and render: the sort and the option's data-pinyin share it.
        memo = getattr(self, "_memo", None)
        key = (getattr(value, "value", value), str(label))
        if memo is not None and key in memo:
            return memo[key]
        keys = _keys(_instance(value), str(label))
        if memo is not None:
            memo[key] = keys
        return keys

    def _chosen_only(self, value) -> list:
        """The choices of an autocompleted field: the empty one and the chosen ones (one
        query for those, whatever the size of the field's queryset)."""
        field = self.choices.field
        key = field.to_field_name or "pk"
        wanted = [str(v) for v in value if v not in ("", None)]
        if key == "pk":
            wanted = [v for v in wanted if v.isdigit()]
        head = []
        if not self.allow_multiple_selected and field.empty_label is not None:
            head = [("", field.empty_label)]
        if not wanted:
            return head
        found = field.queryset.filter(**{f"{key}__in": wanted})
        return head + [self.choices.choice(obj) for obj in found]

    def optgroups(self, name, value, attrs=None):
        if getattr(self, "_autocomplete", None):
            original = self.choices
            self.choices = self._chosen_only(value)
            self._enhanced = False  # no data-pinyin: the server searches
            try:
                return super().optgroups(name, value, attrs)
            finally:
                self.choices = original
                self._enhanced = True
        if not (getattr(self, "_enhanced", False) and self.in_pinyin_order()):
            return super().optgroups(name, value, attrs)
        choices = list(iter(self.choices))  # list() alone would count them first (a query)
        head = [c for c in choices if c[0] in ("", None)]
        rest = [c for c in choices if c[0] not in ("", None)]
        original = self.choices
        self._memo = {}
        try:
            if not any(isinstance(c[1], list | tuple) for c in rest):  # groups: as given
                rest.sort(key=lambda c: (self._keys_of(c[0], c[1])[1], str(c[1])))
            self.choices = head + rest
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = original
            self._memo = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(self, "_enhanced", False) and value not in ("", None):
            initials, full = self._keys_of(value, label)
            option["attrs"]["data-pinyin"] = f"{initials} {full}"
            department = getattr(_instance(value), "department_id", None)
            if department is not None and getattr(self, "_people", False):
                option["attrs"]["data-department"] = str(department)
        return option


class SearchableSelect(_Searchable, forms.Select):
    pass


class SearchableSelectMultiple(_Searchable, forms.SelectMultiple):
    pass


def every_option() -> SearchableSelect:
    """A searchable select listing every option even for a model in ``AUTOCOMPLETE``: for
    the short lists of the enterprise portal (an enterprise's own projects), whose users do
    not reach the staff's autocomplete endpoints."""
    return SearchableSelect(searchable=None, autocomplete=False)


def make_drawn(widget: forms.Widget) -> forms.Widget:
    """The drawn widget in place of a plain Select / SelectMultiple (same attrs and
    choices) or a plain input (``_DRAWN_INPUTS``); any other widget as it is."""
    if type(widget) is forms.Select:
        new = DrawnSelect()
    elif type(widget) is forms.SelectMultiple:
        new = DrawnSelectMultiple()
    elif type(widget) in _DRAWN_INPUTS:
        new = _DRAWN_INPUTS[type(widget)].__new__(_DRAWN_INPUTS[type(widget)])
        new.__dict__.update(widget.__dict__)  # as copy.copy: its type, format, attrs …
        return new
    else:
        return widget
    new.attrs = widget.attrs
    new.choices = widget.choices
    new.is_required = widget.is_required
    new.is_localized = widget.is_localized
    return new


def make_searchable(widget: forms.Widget, *, depends_on=None) -> forms.Widget:
    """The searchable widget in place of a plain Select / SelectMultiple (same attrs and
    choices; it decides from its model when it renders); any other widget as it is."""
    if type(widget) is forms.Select:
        new = SearchableSelect(searchable=None)
    elif type(widget) is forms.SelectMultiple:
        new = SearchableSelectMultiple(searchable=None)
    elif isinstance(widget, _Searchable):
        new = widget
    else:
        return widget
    if new is not widget:
        new.attrs = widget.attrs
        new.choices = widget.choices
        new.is_required = widget.is_required
        new.is_localized = widget.is_localized
        new.autocomplete_scope = getattr(widget, "autocomplete_scope", "")
    if depends_on:
        new.depends_on = depends_on
    return new


# -- autocomplete scopes ----------------------------------------------------------------------
#
# An autocompleted field offers what its form's queryset holds, which is not always what the
# endpoint answers by default (the records the user sees): a meeting's agenda offers every
# project of the meeting's district, a filter only the projects that have action items.
# Such a form names a scope (``offer_scope``) and the endpoint answers it with the function
# registered for it (``register_scope``), which builds the same queryset from the user and
# the scope's argument, or refuses (None) a user who could not open a form offering it.

ScopeFunction = Callable[..., "object | None"]
_SCOPES: dict[tuple[str, str], ScopeFunction] = {}


def register_scope(model_label: str, name: str):
    """Register ``fn(user, arg) -> queryset | None`` as scope ``name`` of the autocomplete of
    ``model_label`` (``arg`` is the text after ``name:`` in the request, "" without one)."""

    def register(fn: ScopeFunction) -> ScopeFunction:
        _SCOPES[(model_label, name)] = fn
        return fn

    return register


def offer_scope(field, name: str, arg: object = "") -> None:
    """Let ``field``'s autocomplete ask its endpoint for scope ``name`` (with ``arg``, e.g.
    a district id): the form's queryset must equal what the scope's function returns."""
    field.widget.autocomplete_scope = f"{name}:{arg}" if arg != "" else name


def scoped_queryset(request, model_label: str, default):
    """The queryset an autocomplete endpoint searches: the scope the request names (None
    when it is unknown or refused to this user: the endpoint answers nothing), else
    ``default`` (what the user sees)."""
    scope = request.GET.get("scope", "")[:100]
    if not scope:
        return default
    name, _sep, arg = scope.partition(":")
    fn = _SCOPES.get((model_label, name))
    return fn(request.user, arg) if fn is not None else None


def district_arg(user, arg: str) -> int | None:
    """A scope's district argument, if the user may offer that district's records in a
    form: a government user of that district, or a superuser; None otherwise."""
    from zhaoshang.core import roles

    if not arg.isdigit() or not roles.is_staff_user(user):
        return None
    district_id = int(arg)
    return district_id if roles.same_district(user, district_id) else None
