"""The page side of the action machinery (``core.actions``): a form, a form with rows and
a button answer 302 on success, 400 with every error on its field (all the parts of the
page validated at once), 409 when someone changed the record first, and call no service
unless everything is valid."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from zhaoshang.core.actions import all_valid, button_post, form_page, form_post
from zhaoshang.core.exceptions import ConcurrentEditError


class HeadForm(forms.Form):
    name = forms.CharField()
    amount = forms.IntegerField()


class RowForm(forms.Form):
    due_on = forms.DateField()


RowFormSet = forms.formset_factory(RowForm, extra=0)


def _request(method="post", data=None):
    factory = RequestFactory()
    request = factory.post("/x/", data or {}) if method == "post" else factory.get("/x/")
    request._messages = CookieStorage(request)
    return request


def _flashed(request) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in request._messages._queued_messages]


class Page:
    """A render_page that remembers what it was asked to draw."""

    def __init__(self):
        self.calls = []

    def __call__(self, form=None, status=200, stale=""):
        self.calls.append((form, status, stale))
        return HttpResponse(status=status)


def _rows(*dates):
    data = {"rows-TOTAL_FORMS": str(len(dates)), "rows-INITIAL_FORMS": "0"}
    for index, value in enumerate(dates):
        data[f"rows-{index}-due_on"] = value
    return data


class Service:
    def __init__(self, result=None, error=None):
        self.result = result
        self.error = error
        self.calls = []

    def __call__(self, data=None):
        self.calls.append(data)
        if self.error is not None:
            raise self.error
        return self.result


def test_a_get_draws_the_form():
    page, service = Page(), Service()
    response = form_post(
        _request("get"), HeadForm(), service, render_page=page, redirect_to="/done/"
    )
    assert response.status_code == 200 and page.calls[0][1:] == (200, "")
    assert service.calls == []


def test_every_part_of_the_page_is_validated_and_nothing_is_called():
    data = {"name": "", "amount": "x", **_rows("2026-06-01", "not a date")}
    request = _request(data=data)
    form, rows = HeadForm(request.POST), RowFormSet(request.POST, prefix="rows")
    page, service = Page(), Service()
    response = form_post(
        request, form, service, render_page=page, redirect_to="/done/", formsets=[rows]
    )
    assert response.status_code == 400
    assert set(form.errors) == {"name", "amount"}
    assert "due_on" in rows.forms[1].errors  # the rows were validated too, not skipped
    assert service.calls == []


def test_all_valid_validates_every_form_even_after_an_invalid_one():
    first, second = HeadForm({}), RowForm({})
    assert all_valid(first, second) is False
    assert first.errors and second.errors


def test_a_success_flashes_and_redirects_to_the_result():
    request = _request(data={"name": "甲", "amount": "3", **_rows("2026-06-01")})
    rows = RowFormSet(request.POST, prefix="rows")
    service = Service(result="/records/7/")
    response = form_post(
        request,
        HeadForm(request.POST),
        service,
        render_page=Page(),
        redirect_to=lambda result: result,
        success=lambda result: f"saved {result}",
        formsets=[rows],
    )
    assert response.status_code == 302 and response["Location"] == "/records/7/"
    assert service.calls == [{"name": "甲", "amount": 3}]
    assert _flashed(request) == [(messages.SUCCESS, "saved /records/7/")]


def test_a_success_may_flash_at_another_level():
    request = _request(data={"name": "甲", "amount": "3"})
    form_post(
        request,
        HeadForm(request.POST),
        Service(result=1),
        render_page=Page(),
        redirect_to="/done/",
        success=lambda _result: (messages.WARNING, "filed, but sent to nobody"),
    )
    assert _flashed(request) == [(messages.WARNING, "filed, but sent to nobody")]


def test_a_refusal_is_400_with_the_message_on_its_field():
    request = _request(data={"name": "甲", "amount": "3"})
    form, page = HeadForm(request.POST), Page()
    refusal = ValidationError({"amount": "too much", "other": "on top"})
    response = form_post(
        request, form, Service(error=refusal), render_page=page, redirect_to="/done/"
    )
    assert response.status_code == 400
    assert form.errors["amount"] == ["too much"]
    assert form.non_field_errors() == ["on top"]
    assert _flashed(request) == []


def test_a_refusal_naming_a_row_goes_where_errors_to_puts_it():
    request = _request(data={"name": "甲", "amount": "3", **_rows("2026-06-01")})
    form, rows = HeadForm(request.POST), RowFormSet(request.POST, prefix="rows")

    def errors_to(exc):
        rows.forms[0].add_error("due_on", exc.messages[0])

    response = form_post(
        request,
        form,
        Service(error=ValidationError("a holiday")),
        render_page=Page(),
        redirect_to="/done/",
        formsets=[rows],
        errors_to=errors_to,
    )
    assert response.status_code == 400
    assert rows.forms[0].errors["due_on"] == ["a holiday"]
    assert not form.errors


def test_a_stale_version_is_409_with_the_input_kept():
    request = _request(data={"name": "甲", "amount": "3"})
    form, page = HeadForm(request.POST), Page()
    response = form_post(
        request,
        form,
        Service(error=ConcurrentEditError("changed meanwhile")),
        render_page=page,
        redirect_to="/done/",
    )
    assert response.status_code == 409
    drawn, status, stale = page.calls[0]
    assert drawn is form and drawn.data["name"] == "甲"
    assert (status, stale) == (409, "changed meanwhile")


def test_a_button_success_flashes_and_redirects():
    request = _request()
    response = button_post(
        request, Service(result=3), render_page=Page(), redirect_to="/done/", success="done"
    )
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert _flashed(request) == [(messages.SUCCESS, "done")]


def test_a_refused_button_flashes_every_message_over_the_page():
    request = _request()
    page = Page()
    refusal = ValidationError({"status": "closed", "agenda_item": "decided on"})
    response = button_post(
        request, Service(error=refusal), render_page=page, redirect_to="/done/", success="done"
    )
    assert response.status_code == 400 and page.calls[0][1] == 400
    assert sorted(_flashed(request)) == [(messages.ERROR, "closed"), (messages.ERROR, "decided on")]


def test_a_button_on_a_record_changed_meanwhile_is_409():
    request = _request()
    page = Page()
    response = button_post(
        request,
        Service(error=ConcurrentEditError("changed meanwhile")),
        render_page=page,
        redirect_to="/done/",
    )
    assert response.status_code == 409 and page.calls[0][1] == 409
    assert _flashed(request) == [(messages.ERROR, "changed meanwhile")]


def test_a_refused_button_without_a_page_goes_back_with_the_messages():
    request = _request()
    response = button_post(
        request,
        Service(error=ValidationError("decided on")),
        redirect_to="/meeting/",
        success="removed",
    )
    assert response.status_code == 302 and response["Location"] == "/meeting/"
    assert _flashed(request) == [(messages.ERROR, "decided on")]


def test_a_field_refused_by_the_service_is_drawn_invalid():
    request = _request(data={"name": "甲", "amount": "3", **_rows("2026-06-01")})
    form, rows = HeadForm(request.POST), RowFormSet(request.POST, prefix="rows")

    def errors_to(exc):
        form.add_error("amount", "too much")
        rows.forms[0].add_error("due_on", "a holiday")

    form_post(
        request,
        form,
        Service(error=ValidationError("refused")),
        render_page=Page(),
        redirect_to="/done/",
        formsets=[rows],
        errors_to=errors_to,
    )
    assert "is-invalid" in form.fields["amount"].widget.attrs["class"]
    assert "is-invalid" not in form.fields["name"].widget.attrs.get("class", "")
    assert "is-invalid" in rows.forms[0].fields["due_on"].widget.attrs["class"]


def test_form_page_reads_its_costly_context_only_when_the_page_is_drawn():
    calls = []

    def more():
        calls.append(1)
        return {"project": "甲"}

    request = _request(data={"name": "甲", "amount": "3"})
    render_page = form_page(request, "core/import.html", more=more)
    form_post(
        request,
        HeadForm(request.POST),
        Service(result=1),
        render_page=render_page,
        redirect_to="/done/",
    )
    assert calls == []  # a success redirects: nothing to draw
    bad = _request(data={"name": ""})
    response = form_post(
        bad,
        HeadForm(bad.POST),
        Service(),
        render_page=form_page(bad, "core/import.html", more=more),
        redirect_to="/done/",
    )
    assert response.status_code == 400 and calls == [1]
