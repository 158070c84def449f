"""The WSGI application (gunicorn: ``gunicorn.conf.py``).

Django would import the URL configuration (every app's views, serializers and API
routes: about a third of a worker's memory) and the template engine's tag libraries on
the first request; they are loaded here instead, with the application, so that gunicorn's
preloading master shares them with every worker it forks (issue 19, point 5) — and a
broken import stops the server at start rather than failing its first request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
application = get_wsgi_application()


def _load_on_start() -> None:
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration
    engines.all()


_load_on_start()
