"""The API answers as its OpenAPI document says: schemathesis generates requests for every
operation of ``/api/schema/`` and checks each answer (no server error; the status code,
the content type and the body are the ones documented).

It runs in-process against the WSGI application, on the test database with the ``world``
(district-wide ``bureau`` with a token), inside the test's transaction: whatever it writes
is rolled back. The number of examples per operation is bounded and the generation
derandomized, so the run is deterministic and takes about a minute.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhaoshang.testing import PASSWORD

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation, drawn from valid (positive) and invalid (negative) requests:
# enough to walk each operation's documented answers. An operation on a record of a kind
# the world has none of (``/api/v1/meetings/{id}/…`` as the bureau) can only answer what
# comes before finding the record (404, 403, 400): two examples check those answers; ten
# more would send the same answers again (they were 900 of the run's 1,600 requests).
MAX_EXAMPLES = 10
NO_RECORD_EXAMPLES = 2

pytestmark = pytest.mark.django_db

_SCHEMA: dict = {}


def _schema_document() -> dict:
    """The OpenAPI document as ``/api/schema/`` serves it (generated once per process)."""
    if not _SCHEMA:
        _SCHEMA.update(SchemaGenerator().get_schema(request=None, public=True))
    return _SCHEMA


class _TestWSGIHandler(WSGIHandler):
    """Django's WSGI handler, minus the request signals that would close the test's
    connection (and its transaction) after each request. They are disconnected at every
    call, not once: Django's test client connects them again after each of its own
    requests (the token, the known ids), and on PostgreSQL a closed connection is the
    end of the test's transaction."""

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        return super().__call__(environ, start_response)


@pytest.fixture
def wsgi_app():
    try:
        yield _TestWSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bureau_token(world) -> str:
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": "bureau", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["token"]


@pytest.fixture
def api_schema(world, wsgi_app, bureau_token):
    loaded = schemathesis.openapi.from_dict(_schema_document())
    loaded.app = wsgi_app
    loaded.auth_headers = {"Authorization": f"Token {bureau_token}"}
    loaded.config.generation.update(modes=["positive"])
    return loaded


# Reads first, deletes last: a deleted record would turn the later examples into 404s.
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def _known_ids(client: Client, token: str, document: dict) -> dict[str, int]:
    """One id per resource the caller can see (the first of its list), so that the
    examples reach real records as well as ids that do not exist."""
    ids = {}
    for path in document["paths"]:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or "{" in path:
            continue
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
        body = response.json() if response.status_code == 200 else None
        results = body.get("results") if isinstance(body, dict) else None
        if results and isinstance(results[0], dict) and "id" in results[0]:
            ids[parts[2]] = results[0]["id"]
    return ids


def test_the_api_answers_as_its_schema_says(api_schema, bureau_token):
    started = time.monotonic()
    ids = _known_ids(Client(), bureau_token, _schema_document())
    operations = sorted(
        (result.ok() for result in api_schema.get_all_operations()),
        key=lambda op: (METHOD_ORDER[op.method.lower()], op.path),
    )
    failures: dict[str, str] = {}
    cases = 0
    statuses: Counter = Counter()
    budget: Counter = Counter()  # operations by their number of examples

    for operation in operations:
        strategy = operation.as_strategy() | operation.as_strategy(GenerationMode.NEGATIVE)
        resource = operation.path.strip("/").split("/")[2]
        if "{id}" in operation.path and resource in ids:
            strategy = strategy | operation.as_strategy(path_parameters={"id": ids[resource]})
        reaches_records = "{" not in operation.path or resource in ids
        examples = MAX_EXAMPLES if reaches_records else NO_RECORD_EXAMPLES
        budget[examples] += 1

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            nonlocal cases
            label = case.operation.label
            cases += 1
            if label in failures:
                return
            try:
                # The configured headers reach only schemathesis's own runner: a case
                # called directly sends what it is given, so the token goes with each call.
                response = case.call(headers=api_schema.auth_headers)
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # every failure is reported below
                failures[label] = f"{type(exc).__name__}: {exc}"

        run()

    print(
        f"schemathesis: {len(operations)} operations (by examples: {dict(budget)}), {cases}"
        f" cases, {len(failures)} failing, {time.monotonic() - started:.0f} s,"
        f" answers {dict(sorted(statuses.items()))}"
    )
    # The run reached the records as the bureau: a token that did not go with the requests
    # would make every answer a documented 401, and the run would prove nothing.
    assert statuses[401] == 0, statuses
    assert sum(budget.values()) == len(operations) > 150, budget  # every operation is checked
    assert sum(n for code, n in statuses.items() if 200 <= code < 300) >= 100, statuses
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
