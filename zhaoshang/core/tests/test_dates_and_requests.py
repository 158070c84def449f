"""Bad input is a 400 naming the field, never a 500 or mangled data: dates outside the
platform's range (every page form and API serializer, generated), dates the working-day
calendar cannot count from, text that is not UTF-8; and private answers are not cached
by shared caches."""

from __future__ import annotations

import copy
import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

import zhaoshang
from zhaoshang.api.exceptions import exception_handler
from zhaoshang.api.parsers import PARSERS
from zhaoshang.core import dates
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.http_middleware import DateOutOfRangeMiddleware
from zhaoshang.workdays import rules
from zhaoshang.workdays.services import OutOfCalendar, add_workdays

BAD_DATES = ["1899-01-01", "2201-01-01"]
DATE_FIELDS = (forms.DateField, forms.DateTimeField)
SERIALIZER_DATE_FIELDS = (serializers.DateField, serializers.DateTimeField)


def _modules(suffix: str):
    for info in pkgutil.walk_packages(zhaoshang.__path__, "zhaoshang."):
        if ".tests" in info.name or ".migrations" in info.name or ".demo" in info.name:
            continue
        if info.name.rsplit(".", 1)[-1] == suffix:
            yield importlib.import_module(info.name)


def _classes(base, suffix: str):
    found = {}
    for module in _modules(suffix):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


FORMS = _classes(forms.BaseForm, "forms")
FORM_DATE_FIELDS = [
    (label, name)
    for label, cls in sorted(FORMS.items())
    for name, field in cls.base_fields.items()
    if isinstance(field, DATE_FIELDS)
]
SERIALIZERS = _classes(serializers.Serializer, "api")


def _serializer_date_fields(cls):
    try:
        fields = cls(context={"request": None}).fields
    except Exception:  # noqa: BLE001 - a serializer that needs arguments has no generic form
        return []
    return [
        name
        for name, field in fields.items()
        if isinstance(field, SERIALIZER_DATE_FIELDS) and not field.read_only
    ]


SERIALIZER_DATE_FIELD_LIST = [
    (label, name)
    for label, cls in sorted(SERIALIZERS.items())
    for name in _serializer_date_fields(cls)
]


def test_the_range_is_the_working_day_calendars():
    assert (dates.FIRST_DATE, dates.LAST_DATE) == (rules.EPOCH, rules.LAST_DAY)


def test_the_generated_lists_are_not_empty():
    # The generators below must find the forms and serializers (and fail when they do not).
    assert len(FORM_DATE_FIELDS) > 40
    assert len(SERIALIZER_DATE_FIELD_LIST) > 30


@pytest.mark.parametrize(("label", "name"), FORM_DATE_FIELDS)
def test_every_page_form_date_refuses_dates_outside_the_range(label, name):
    cls = FORMS[label]
    assert issubclass(cls, BootstrapMixin), f"{label} must use core.forms.BootstrapMixin"
    fields = copy.deepcopy(cls.base_fields)
    dates.bound_date_fields(fields, cls.historical_date_fields)
    for bad in BAD_DATES:
        with pytest.raises(ValidationError) as caught:
            fields[name].clean(bad)
        assert [e.code for e in caught.value.error_list] == ["date_out_of_range"]
    good = "2026-06-15" if isinstance(fields[name], forms.DateField) else "2026-06-15 10:00"
    assert fields[name].clean(good)


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name"), SERIALIZER_DATE_FIELD_LIST)
def test_every_api_date_refuses_dates_outside_the_range(label, name):
    cls = SERIALIZERS[label]
    for bad in BAD_DATES:
        serializer = cls(data={name: bad}, context={"request": None})
        assert not serializer.is_valid()
        assert name in serializer.errors, (label, name, serializer.errors)
        assert "2004-01-01" in str(serializer.errors[name])


def test_a_historical_field_takes_older_dates():
    class Founded(BootstrapMixin, forms.Form):
        historical_date_fields = ("founded_on",)
        founded_on = forms.DateField()
        signed_on = forms.DateField()

    form = Founded(data={"founded_on": "1985-03-01", "signed_on": "1985-03-01"})
    assert not form.is_valid()
    assert list(form.errors) == ["signed_on"]
    assert not Founded(data={"founded_on": "1899-01-01", "signed_on": "2026-01-01"}).is_valid()


def test_the_api_refuses_an_out_of_range_date_with_a_400_naming_the_field(world, client_for):
    case = world.case_a
    response = client_for("department").post(
        f"/api/v1/approval-cases/{case.pk}/materials-complete/",
        {"materials_complete_on": "1899-01-01"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["materials_complete_on"]
    assert "between 2004-01-01 and 2099-12-31" in response.json()["materials_complete_on"][0]


def test_a_page_form_refuses_an_out_of_range_date_with_a_400_under_the_field(world, client_for):
    case = world.case_a
    response = client_for("department").post(
        f"/approvals/cases/{case.pk}/materials-complete/",
        {"materials_complete_on": "1899-01-01", "version": case.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert b"between 2004-01-01 and 2099-12-31" in response.content


# -- dates the calendar cannot count from, met in a service ---------------------------


@pytest.mark.django_db
def test_the_api_names_the_field_holding_a_date_the_calendar_cannot_count_from():
    with pytest.raises(OutOfCalendar) as caught:
        add_workdays(datetime.date(2099, 12, 30), 10)
    raw = APIRequestFactory().post(
        "/api/v1/x/", {"start_on": "2099-12-30", "note": "x"}, format="json"
    )
    request = Request(raw, parsers=[p() for p in PARSERS])
    response = exception_handler(caught.value, {"request": request})
    assert response.status_code == 400
    assert list(response.data) == ["start_on"]
    assert "2099-12-30" in str(response.data["start_on"][0])


@pytest.mark.django_db
def test_a_page_names_the_field_holding_a_date_the_calendar_cannot_count_from():
    with pytest.raises(OutOfCalendar) as caught:
        add_workdays(datetime.date(2099, 12, 30), 10)
    request = RequestFactory().post("/x/", {"due_on": "2099-12-30", "title": "t"})
    response = DateOutOfRangeMiddleware(lambda r: None).process_exception(request, caught.value)
    assert response.status_code == 400
    assert b"due_on: " in response.content
    derived = OutOfCalendar("no field", date=datetime.date(2099, 12, 31))
    response = DateOutOfRangeMiddleware(lambda r: None).process_exception(request, derived)
    assert response.status_code == 400 and b"no field" in response.content


# -- text that is not UTF-8 ----------------------------------------------------------


def test_a_form_body_that_is_not_utf8_is_refused_on_pages(world, client_for):
    client = client_for("bureau")
    response = client.post(
        "/projects/new/",
        b"name=%FF%FE&code=X",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert b"name: The request is not valid UTF-8 text." in response.content


def test_a_form_body_that_is_not_utf8_is_refused_by_the_api(world, client_for):
    client = client_for("bureau")
    response = client.post(
        "/api/v1/enterprises/",
        b"name=ok&credit_code=%C3%28",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"credit_code": ["The request is not valid UTF-8 text."]}


def test_a_multipart_body_that_is_not_utf8_is_refused(world, client_for):
    client = client_for("bureau")
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'.encode()
        + b"\xff\xfe bad\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    for url in ("/api/v1/enterprises/", "/projects/new/"):
        response = client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code == 400, url
    patched = client.generic(
        "PATCH",
        f"/api/v1/enterprises/{world.enterprise1_a.pk}/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert patched.status_code == 400
    assert list(patched.json()) == ["name"]


def test_a_query_string_that_is_not_utf8_is_refused(world, client_for):
    client = client_for("bureau")
    api = client.get("/api/v1/projects/?search=%E4%B8", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert list(api.json()) == ["search"]
    assert client.get("/projects/?q=%FF").status_code == 400
    assert client.get("/projects/?q=%E6%8B%9B%E5%95%86").status_code == 200


def test_json_that_is_not_utf8_is_refused(world, client_for):
    response = client_for("bureau").post(
        "/api/v1/enterprises/", b'{"name": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 400


# -- caching -------------------------------------------------------------------------


@override_settings(LANGUAGE_CODE="en")
def test_api_answers_and_downloads_are_private(world, client_for):
    client = client_for("bureau")
    for url in (
        "/api/v1/projects/",
        f"/api/v1/projects/{world.project1_a.pk}/",
        "/api/v1/kpis/?year=2026",
        "/projects/export.xlsx",
        "/approvals/export.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" in response.headers.get("Cache-Control", ""), url
    refused = Client().get("/api/v1/projects/")
    assert refused.status_code in (401, 403)
    assert "private" in refused.headers["Cache-Control"]
    page = client.get("/projects/")
    assert "private" not in page.headers.get("Cache-Control", "")


def test_an_api_path_that_matches_no_route_is_a_json_404(world, client_for):
    client = client_for("bureau")
    response = client.get("/api/v1/projects/not-a-number/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert client.get("/projects/not-a-number/").headers["Content-Type"].startswith("text/html")
