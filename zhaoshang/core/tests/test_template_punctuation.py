"""No English punctuation glued after a translated phrase in the templates: in Chinese
it would follow Chinese text ("检查日期: …", "…未决定."). A label's colon is translated
with the label ({% translate ": " context "label suffix" %} → "：")."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import pgettext

PACKAGE = Path(__file__).resolve().parents[2]
GLUED = re.compile(r'\{% (?:translate "[^"]*"|endblocktranslate) %\}[.,;:](?=[\s<{]|$)', re.M)


def test_no_english_punctuation_after_a_translated_phrase():
    found = []
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        relative = str(path.relative_to(PACKAGE))
        text = path.read_text(encoding="utf-8")
        for match in GLUED.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{relative}:{line}: {match.group(0)}")
    assert not found, "\n".join(found)


def test_the_label_suffix_is_a_chinese_colon_in_chinese():
    with translation.override("en"):
        assert pgettext("label suffix", ": ") == ": "
    with translation.override("zh-hans"):
        assert pgettext("label suffix", ": ") == "："  # full-width, no space after it
