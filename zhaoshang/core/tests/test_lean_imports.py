"""Workers stay lean (issue 19): loading the WSGI application and resolving and reversing
every URL imports none of the heavy libraries — PDF (WeasyPrint), spreadsheets (openpyxl,
xlsxwriter), Word (python-docx), data frames, QR codes (segno), pinyin (pypinyin: its
phrase table alone is about 50 MiB), the holiday calendars. Each is imported inside the
function that needs it, so a worker pays for it only when it serves such a page or
download.

Run in a fresh interpreter: the test process itself has long imported them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

HEAVY = (
    "weasyprint",
    "pydyf",
    "fontTools",
    "openpyxl",
    "xlsxwriter",
    "docx",
    "pandas",
    "numpy",
    "PIL",
    "lxml",
    "matplotlib",
    "reportlab",
    "segno",
    "pypinyin",
    "chinese_calendar",
    "holidays",
)

CHILD = r"""
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
from zhaoshang.wsgi import application  # noqa: F401
from django.conf import settings
at_start = {"urlconf": settings.ROOT_URLCONF in sys.modules,
            "views": "zhaoshang.projects.views" in sys.modules,
            "template_tags": "django.templatetags.tz" in sys.modules}
from django.urls import URLPattern, URLResolver, get_resolver, reverse, NoReverseMatch

def walk(patterns, namespace):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, ":".join(x for x in (namespace, p.namespace) if x))
        else:
            p.callback  # the view, imported
            if p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                try:
                    reverse(name)
                except NoReverseMatch:
                    pass  # a route with arguments: resolving its view was enough
                yield name

names = list(walk(get_resolver().url_patterns, ""))
print(json.dumps({"urls": len(names), "at_start": at_start, "loaded": sorted(
    m for m in json.loads(sys.argv[1]) if m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def child() -> dict:
    """What a fresh interpreter imports: the WSGI application, then every URL's view."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wsgi_application_and_every_url_import_no_heavy_library(child):
    assert child["urls"] > 200  # the walk reached every app's routes
    assert child["loaded"] == []


def test_the_wsgi_module_loads_the_urls_and_template_tags_before_any_request(child):
    """What the first request would import is imported with the application, so that
    gunicorn's preloading master shares it with its workers (gunicorn.conf.py)."""
    assert child["at_start"] == {"urlconf": True, "views": True, "template_tags": True}
