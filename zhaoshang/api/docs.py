"""OpenAPI schema and the interactive docs, served from drf-spectacular-sidecar's
static files: they work with no internet and under our content security policy
(no inline scripts, no CDN)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template import engines
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

SCHEMA_URL_NAME = "api:schema"

# drf-spectacular's own Redoc page links Google Fonts; this one uses only local files.
# (Redoc's bundle still tries to show Redocly's logo from its CDN in the sidebar footer;
# the content security policy blocks it and Redoc then leaves the logo out.)
REDOC_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="{{ favicon_href }}">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="{{ schema_url }}"></redoc>
    <script src="{{ redoc_standalone }}"></script>
  </body>
</html>
"""


class SchemaView(SpectacularAPIView):
    pass


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its start-up script is a separate same-origin request (``?script``)."""

    url_name = SCHEMA_URL_NAME


class RedocView(SpectacularRedocView):
    url_name = SCHEMA_URL_NAME

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        page = engines["django"].from_string(REDOC_PAGE)
        html = page.render(
            {
                "title": self.title,
                "redoc_standalone": self._redoc_standalone(),
                "schema_url": self._get_schema_url(request),
                "favicon_href": SpectacularSwaggerSplitView._swagger_ui_favicon(),
            }
        )
        return HttpResponse(html)
