"""The warnings desk and the warning page (SPEC §11): filters (excluded ones only under
their own filter), the export, the steps taken through the page with their documents, a
stale version answered with 409, the project's warnings include; and the API actions."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from zhaoshang.exits import services
from zhaoshang.exits.choices import WarningStatus
from zhaoshang.exits.models import ExitWarning
from zhaoshang.exits.tests.factories import make_warning, pdf
from zhaoshang.exits.views import warnings_for_project

D = datetime.date
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client_en(client_for):
    """A client of ``who`` that reads the pages in English."""

    def make(who: str):
        client = client_for(who)
        client.cookies["django_language"] = "en"
        return client

    return make


def _rows(response) -> set[int]:
    html = response.content.decode()
    return {w.pk for w in ExitWarning.objects.all() if f'data-warning="{w.pk}"' in html}


def test_desk_filters(client_en, world):
    first = make_warning(world)
    second = make_warning(world, project=world.project2_a)
    ExitWarning.objects.filter(pk=second.pk).update(status=WarningStatus.EXCLUDED)
    client = client_en("supervisor")
    assert _rows(client.get(reverse("exits:list"))) == {first.pk}
    assert _rows(client.get(reverse("exits:list"), {"status": "excluded"})) == {second.pk}
    assert _rows(client.get(reverse("exits:list"), {"park": world.park2_a.pk})) == set()
    assert _rows(client.get(reverse("exits:list"), {"rule": "not_producing"})) == set()
    assert _rows(client.get(reverse("exits:list"), {"rule": "not_started"})) == {first.pk}
    # A park committee sees its park's warnings only.
    assert _rows(client_en("park").get(reverse("exits:list"), {"status": "excluded"})) == set()


def test_export(client_en, world):
    make_warning(world)
    response = client_en("supervisor").get(reverse("exits:export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Project code" and len(rows) == 2
    assert rows[1][0] == world.project1_a.code


def test_steps_through_the_page(client_en, world):
    warning = make_warning(world)
    client = client_en("supervisor")
    page = client.get(warning.get_absolute_url())
    assert 'data-action="notice"' in page.content.decode()
    assert 'data-action="clearance"' not in page.content.decode()
    response = client.post(
        reverse("exits:notice", args=[warning.pk]),
        {"deadline": "2026-07-15", "document": pdf(), "note": "限期开工", "version": 1},
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NOTICE
    step = warning.steps.get()
    download = client.get(step.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # A stale form: 409, nothing saved.
    response = client.post(
        reverse("exits:confirm_delay", args=[warning.pk]), {"reason": "x", "version": 1}
    )
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    # Clearance before the deadline: 400 with the reason on the form.
    response = client.post(
        reverse("exits:clearance", args=[warning.pk]), {"document": pdf(), "version": 2}
    )
    assert response.status_code == 400
    assert "has not passed yet" in response.content.decode()
    warning.refresh_from_db()
    assert warning.version == 2


def test_readers_see_no_action(client_en, world):
    warning = make_warning(world)
    html = client_en("leader").get(warning.get_absolute_url()).content.decode()
    assert 'data-testid="delay"' in html and "data-action" not in html


def test_project_include(world):
    warning = make_warning(world)
    context = warnings_for_project(world.user_leader, world.project1_a)
    assert context["exit_warnings"] == [warning]
    html = render_to_string("exits/_project_warnings.html", context)
    assert f'data-warning="{warning.pk}"' in html
    assert warnings_for_project(world.user_park, world.project2_a)["exit_warnings"] == []


def test_api_list_and_actions(client_en, world):
    warning = make_warning(world)
    client = client_en("bureau")
    listing = client.get("/api/v1/warnings/", {"status": "warning"}).json()
    assert listing["count"] == 1 and listing["results"][0]["rule"] == "not_started"
    response = client.post(f"/api/v1/warnings/{warning.pk}/notice/", {"document": pdf()})
    assert response.status_code == 400
    assert response.json() == {"deadline": ["Give the date by which the enterprise must rectify."]}
    response = client.post(
        f"/api/v1/warnings/{warning.pk}/notice/",
        {"document": pdf(), "deadline": "2026-07-01", "version": 1},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "notice" and body["steps"][0]["kind"] == "notice"
    response = client.post(
        f"/api/v1/warnings/{warning.pk}/recover/", {"document": pdf(), "version": 2}
    )
    assert response.status_code == 400
    assert response.json() == {"status": ["Land recovery needs a clearance decision first."]}
    response = client.post(
        f"/api/v1/warnings/{warning.pk}/confirm_delay/", {"reason": "x", "version": 1}
    )
    assert response.status_code == 409
    assert client.post("/api/v1/warnings/", {}).status_code == 405
    services.scan()
    assert client.get("/api/v1/warnings/", {"park": world.park2_a.pk}).json()["count"] == 0
