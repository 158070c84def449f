"""Where an imported record came from (补录), on its page.

``{% load imports %}{% import_source obj %}`` renders "补录：台账.xlsx 第 7 行 · 批次 #12",
linked to the batch's page (``onboarding:batch``), for a record an import batch created
(and not undone); nothing for any other record. One query (``batches.source_of``).
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from zhaoshang.core.imports.batches import source_of

register = template.Library()


def batch_url(batch_id: int) -> str:
    """The batch's page, or "" while no app answers ``onboarding:batch``."""
    try:
        return reverse("onboarding:batch", args=[batch_id])
    except NoReverseMatch:
        return ""


@register.simple_tag
def import_source(obj) -> str:
    source = source_of(obj)
    if source is None:
        return ""
    batch = source.batch
    text = _("Imported: %(file)s row %(row)s · batch #%(batch)s") % {
        "file": batch.file_name,
        "row": source.row,
        "batch": batch.pk,
    }
    url = batch_url(batch.pk)
    if url:
        return format_html('<a class="import-source" href="{}">{}</a>', url, text)
    return format_html('<span class="import-source">{}</span>', text)
