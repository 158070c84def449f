"""``core.links``: a record's URL reversed once and filled in is the string ``reverse``
returns, in each language and under a script prefix."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from zhaoshang.core import links

NAMES = ["projects:detail", "approvals:case", "meetings:action_item", "agreements:obligation"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_pk_url_is_reverse(name, language):
    with translation.override(language):
        for pk in (1, 7, 42, 918273645, 10**12):
            assert links.pk_url(name, pk) == reverse(name, args=[pk])
            assert links.url_of(name)(pk) == reverse(name, args=[pk])


def test_a_script_prefix_is_kept_apart():
    plain = links.pk_url("projects:detail", 5)
    set_script_prefix("/zs/")
    try:
        assert links.pk_url("projects:detail", 5) == reverse("projects:detail", args=[5])
        assert links.pk_url("projects:detail", 5).startswith("/zs/")
    finally:
        clear_script_prefix()
    assert links.pk_url("projects:detail", 5) == plain


def test_what_is_not_an_integer_is_reversed_as_such():
    assert links.pk_url("projects:detail", "9") == reverse("projects:detail", args=["9"])
