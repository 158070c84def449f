"""The shared form partial (``core/_form_fields.html``): an error on a hidden field (the
record's version, a row's key) is said, named by its field, not swallowed with the field."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class _VersionedForm(forms.Form):
    title = forms.CharField(label="Title")
    version = forms.IntegerField(label="Version", widget=forms.HiddenInput)


def test_a_hidden_fields_error_is_shown_with_its_label():
    form = _VersionedForm(data={"title": "", "version": "x"})
    assert not form.is_valid()
    with translation.override("zh-hans"):
        html = render_to_string("core/_form_fields.html", {"form": form})
    assert 'data-field="version"' in html
    assert "Version：请填写整数。" in html  # the hidden field, named
    assert 'data-field="title"' in html  # the visible field's error, by its field as before


def test_no_alert_when_the_hidden_fields_are_valid():
    form = _VersionedForm(data={"title": "", "version": "3"})
    assert not form.is_valid()
    html = render_to_string("core/_form_fields.html", {"form": form})
    assert 'role="alert" data-field="version"' not in html


def test_a_label_tags_colon_is_in_the_pages_language():
    """Django's own catalogue keeps ":" in Chinese; the forms use the templates' label
    suffix, so a filter's ``label_tag`` reads 产业： and, in English, "Industry:"."""
    from django import forms
    from django.utils import translation

    from zhaoshang.core.forms import BootstrapMixin

    class Filter(BootstrapMixin, forms.Form):
        industry = forms.CharField(label="Industry", required=False)

    with translation.override("zh-hans"):
        assert Filter()["industry"].label_tag().endswith("Industry：</label>")
    with translation.override("en"):
        assert Filter()["industry"].label_tag().endswith("Industry:</label>")
    assert Filter(label_suffix="")["industry"].label_tag().endswith("Industry</label>")
