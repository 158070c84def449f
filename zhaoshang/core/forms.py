"""Form helpers: Bootstrap classes, the accepted range of dates, text free of markup, and
mapping service ValidationErrors onto forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from zhaoshang.core.dates import bound_date_fields
from zhaoshang.core.validators import bound_text_fields
from zhaoshang.core.widgets import draw_label, make_drawn, make_searchable


class BootstrapMixin:
    """Give every widget its Bootstrap class; mark fields that have errors; keep every date
    within the platform's range (``core.dates``; ``historical_date_fields`` names the
    fields that accept older dates); refuse markup in every text field
    (``core.validators.NoMarkupValidator``; ``markup_allowed_fields`` names exceptions);
    draw the choices of people, enterprises, projects and departments as searchable selects
    in pinyin order (``core.widgets``; ``select_depends_on`` maps a people field to the
    department field of the same form that narrows it in the browser); draw every select's
    options, the plain inputs and the fields' labels in Python (``core.widgets``, the same
    HTML as Django's templates)."""

    historical_date_fields: tuple[str, ...] = ()
    markup_allowed_fields: tuple[str, ...] = ()
    select_depends_on: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("label_suffix") is None:
            # ``label_tag``'s colon in the page's language (Django's own catalogue keeps
            # ":" in Chinese): the templates' "label suffix", "：" in Chinese.
            self.label_suffix = pgettext("label suffix", ": ").strip()
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def __getitem__(self, name):
        # Each time a bound field is asked for (rendering, cleaning) rather than in __init__:
        # subclasses set querysets and add or replace fields after this __init__ (even
        # after a first rendering). Only a plain Select / SelectMultiple is switched; the
        # switch is idempotent and costs no query (the widget decides when it renders).
        field = self.fields.get(name)
        if isinstance(field, forms.ModelChoiceField):
            depends_on = self.select_depends_on.get(name)
            if depends_on and depends_on in self.fields:
                depends_on = self.add_prefix(depends_on)
            else:
                depends_on = None
            field.widget = make_searchable(field.widget, depends_on=depends_on)
        elif field is not None:
            field.widget = make_drawn(field.widget)
        return super().__getitem__(name)

    def render(self, template_name=None, context=None, renderer=None):
        # A field's label (``label_tag``) drawn in Python, the same HTML as the template.
        if context is not None:
            drawn = draw_label(template_name, context, renderer or self.renderer)
            if drawn is not None:
                return drawn
        return super().render(template_name, context, renderer)

    def full_clean(self):
        # Here rather than in __init__: subclasses add fields after this __init__.
        bound_date_fields(self.fields, self.historical_date_fields)
        bound_text_fields(self.fields, self.markup_allowed_fields)
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's errors on the form: known fields on the field, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ImportForm(BootstrapMixin, forms.Form):
    """Upload of an Excel import file (SPEC §16); the importer checks the file itself."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file; save nothing"),
        required=False,
    )
