"""OpenAPI schema and interactive docs: served, and working with no internet."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from zhaoshang.api.tests.world_api import RESOURCES

ATTR_URL = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_schema_is_served_and_lists_the_resources(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/projects/{id}/stage/" in schema["paths"]
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in schema["paths"]
        assert f"/api/v1/{resource}/{{id}}/" in schema["paths"]
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["signed_on"]["readOnly"] is True
    assert project["stage"]["readOnly"] is True


def test_schema_generates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    found = set(GENERATOR_STATS._warn_cache) | set(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not found


def test_stage_change_names_the_same_stage_enum_as_the_project(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    to_stage = components["StageChangeRequest"]["properties"]["to_stage"]
    assert to_stage == {"$ref": "#/components/schemas/StageEnum"}
    assert set(components["StageEnum"]["enum"]) >= {"lead", "signed", "capacity", "exited"}


def _local_urls(html: str) -> list[str]:
    urls = ATTR_URL.findall(html)
    assert urls
    return urls


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_page_uses_only_local_files(path):
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for found in _local_urls(html):
        assert found.startswith("/"), found
        assert not found.startswith("//"), found
        if found.startswith("/static/"):
            assert finders.find(found.removeprefix("/static/").split("?")[0]), found


def test_swagger_start_script_is_a_separate_local_file(client):
    """No inline script: the content security policy allows only 'self' scripts."""
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
    assert "/api/schema/" in response.content.decode()


def test_redoc_may_start_its_search_worker(client):
    response = client.get("/api/redoc/")
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self' blob:" in policy
    assert "<script>" not in response.content.decode()


# SPEC §19: the resources of the fixed interface.
FIXED_RESOURCES = (
    "enterprises",
    "projects",
    "departments",
    "parks",
    "industries",
    "approval-items",
    "approval-cases",
    "receipts",
    "needs",
    "agreements",
    "obligations",
    "commitments",
    "complaints",
    "inspections",
    "meetings",
    "action-items",
    "warnings",
    "land-parcels",
)


def test_every_resource_of_the_fixed_interface_is_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    missing = [
        r
        for r in FIXED_RESOURCES
        if f"/api/v1/{r}/" not in schema["paths"] or f"/api/v1/{r}/{{id}}/" not in schema["paths"]
    ]
    assert not missing
