"""Rules every request and answer follows, pages and API alike.

``Utf8RequestMiddleware``: text a client sends must be UTF-8. Django decodes query strings
and form bodies with ``errors="replace"``, so bad bytes would silently become U+FFFD and be
stored mangled; they are refused with a 400 naming the parameter instead.

``DateOutOfRangeMiddleware``: a date a computation cannot handle (outside the working-day
calendar, or counted past its end) is the client's input: a 400 naming the field that
holds it, never a 500 (the API's exception handler does the same for the API).

``ApiNotFoundMiddleware``: a path under ``/api/`` that matches no route (``/api/v1/projects/abc/``)
answers the API's JSON 404 ``{"detail"}``, as its schema documents, not the HTML page.

``PrivateCacheMiddleware``: API answers and downloads (exports, documents, photos — any
answer with a ``Content-Disposition`` or a file body) are the caller's own data; they carry
``Cache-Control: private`` so that no shared cache (a proxy of the district's network)
keeps them for somebody else.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _

from zhaoshang.core.dates import out_of_range_errors
from zhaoshang.core.exceptions import DateOutOfRange

API_PREFIX = "/api/"
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
REPLACEMENT = "\ufffd"


def _bad_pair(raw: bytes) -> str | None:
    """The name of the first parameter of an urlencoded string that is not UTF-8 ("" when
    the name itself is not), or None when all of it is."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _sep, value = pair.partition(b"=")
        try:
            name_text = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return ""
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return name_text
    return None


def invalid_utf8_field(request) -> str | None:
    """The parameter of ``request`` (query string or form body) that is not UTF-8 text
    ("" when it cannot be named), or None when the request is clean."""
    query = request.META.get("QUERY_STRING", "")
    if query:
        # WSGI hands the query string over decoded as latin-1: these are the raw bytes.
        found = _bad_pair(query.encode("latin-1", "replace"))
        if found is not None:
            return found
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if content_type == FORM_URLENCODED:
        return _bad_pair(request.body)
    if content_type == MULTIPART and request.method == "POST":
        # Django's multipart parser has already replaced bad bytes by U+FFFD.
        for name, values in request.POST.lists():
            if REPLACEMENT in name:
                return ""
            if any(REPLACEMENT in value for value in values):
                return name
        for name, files in request.FILES.lists():
            if any(REPLACEMENT in (upload.name or "") for upload in files):
                return name
    return None


def invalid_utf8_response(request, field: str) -> HttpResponse:
    message = _("The request is not valid UTF-8 text.")
    if request.path.startswith(API_PREFIX):
        body = {field: [message]} if field else {"detail": message}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return bad_request_page({field or "non_field_errors": [message]})


def bad_request_page(errors: dict[str, list]) -> HttpResponse:
    """A plain 400 page listing ``{field: [messages]}`` ("field: message" per line). Plain,
    not the site's layout: it may answer before the session and the user are known."""
    items = "".join(
        "<li>"
        + ("" if name == "non_field_errors" else f"{escape(name)}: ")
        + escape(" ".join(str(m) for m in messages))
        + "</li>"
        for name, messages in errors.items()
    )
    return HttpResponse(
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>400</title></head><body><ul>{items}</ul></body></html>",
        status=400,
    )


class Utf8RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = invalid_utf8_field(request)
        if field is not None:
            return invalid_utf8_response(request, field)
        return self.get_response(request)


class DateOutOfRangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DateOutOfRange):
            return None
        return bad_request_page(out_of_range_errors(exception, request.POST, request.GET))


class ApiNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return JsonResponse(
                {"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
            )
        return response


def is_download(response) -> bool:
    return (
        response.has_header("Content-Disposition")
        or isinstance(response, FileResponse)
        or getattr(response, "streaming", False)
    )


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) or is_download(response):
            patch_cache_control(response, private=True)
        return response
