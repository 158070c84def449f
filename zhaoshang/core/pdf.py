"""PDF documents (receipts, reports): a Django template rendered by WeasyPrint.

Fonts come from the system (Debian ``fonts-noto-cjk``: name "Noto Serif CJK SC" or "Noto
Sans CJK SC" in the CSS, with ``lang="zh-CN"`` on the page). Nothing is fetched from the
network: the URL fetcher answers only the app's static files and ``data:`` URIs, and refuses
everything else, so a stray CDN link in a template costs nothing and leaks nothing.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# The base URL documents are rendered against when there is no request: relative and
# root-relative links resolve inside it, and the fetcher serves only its static path.
DEFAULT_BASE = "http://pdf.invalid/"


@cache
def _fetcher_class():
    """The fetcher class, made on first use: WeasyPrint takes about a second to import, so
    a process imports it when it first renders a PDF, not at start-up."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve ``STATIC_URL`` paths from the static files and ``data:`` URIs; refuse the
        rest."""

        def __init__(self, **kwargs):
            # data: is read by the standard opener, which then touches no network.
            super().__init__(allowed_protocols={"data"}, **kwargs)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = unquote(urlsplit(url).path)
            static_prefix = urlsplit(settings.STATIC_URL).path
            if not path.startswith(static_prefix):
                raise ValueError(f"PDF rendering fetches only static files, not {url}")
            found = _static_file(path[len(static_prefix) :])
            if found is None:
                raise ValueError(f"no static file at {url}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, found.read_bytes(), headers={"Content-Type": content_type}, status=200
            )

    return StaticOnlyFetcher


def __getattr__(name: str):
    if name == "StaticOnlyFetcher":  # the fetcher, for callers and tests (made on first use)
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _static_file(relative: str) -> Path | None:
    relative = relative.lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        candidate = Path(root) / relative
        if candidate.is_file():
            return candidate
    return None


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else DEFAULT_BASE
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url, url_fetcher=_fetcher_class()())
    return document.write_pdf()
