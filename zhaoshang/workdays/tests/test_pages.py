"""The calendar pages: every staff user reads the year and the years' list; the admin role
imports and publishes; the Django admin edits a year with its entries."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.workdays.models import CalendarEntry, CalendarYear
from zhaoshang.workdays.services import add_workdays, is_workday, load_year

D = datetime.date
pytestmark = pytest.mark.django_db


def _cell(html: str, day: datetime.date) -> str:
    start = html.index(f'data-date="{day:%Y-%m-%d}"')
    return html[start : html.index("</td>", start)]


def test_a_staff_user_reads_the_year(client_for):
    html = client_for("department").get(reverse("workdays:year", args=[2026])).content.decode()
    assert html.count('class="card-header py-1"') == 12  # twelve months
    assert 'data-kind="off"' in _cell(html, D(2026, 10, 1))
    assert 'data-kind="adjusted"' in _cell(html, D(2026, 10, 10))
    assert 'data-kind="weekend"' in _cell(html, D(2026, 10, 11))
    assert 'data-kind="work"' in _cell(html, D(2026, 10, 12))
    assert "国庆节" in _cell(html, D(2026, 10, 1))
    assert "国办发明电〔2025〕7号" in html
    assert 'data-testid="provisional-badge"' not in html
    assert reverse("workdays:import") not in html  # reading only


def test_the_current_year_by_default_and_provisional_years_are_marked(client_for):
    client = client_for("bureau")
    assert (
        'data-testid="calendar-year">2026<'
        in client.get(reverse("workdays:calendar")).content.decode()
    )
    html = client.get(reverse("workdays:year", args=[2027])).content.decode()
    assert 'data-testid="provisional-badge"' in html
    assert 'data-kind="off"' in _cell(html, D(2027, 2, 5))  # 除夕 under the provisional rule
    assert "春节" in _cell(html, D(2027, 2, 5))
    assert 'data-kind="weekend"' in _cell(html, D(2027, 2, 20))


def test_the_years_list_shows_status_notice_and_the_missing_year(client_for):
    html = client_for("leader").get(reverse("workdays:calendar")).content.decode()
    table = html[html.index('data-testid="calendar-years"') :]
    assert table.count("<tr") == 1 + 24  # header, 2004–2026 and the missing 2027
    assert "Missing" in table and "Shipped with the platform" in table


@pytest.mark.parametrize("year", [2003, 2100, 2040])
def test_years_outside_the_calendar_are_not_found(client_for, year):
    assert client_for("bureau").get(reverse("workdays:year", args=[year])).status_code == 404


def test_the_admin_imports_a_year_on_the_page(client_for, world, hook_calls):
    client = client_for("admin")
    page = client.get(reverse("workdays:calendar")).content.decode()
    assert reverse("workdays:import") in page
    upload = SimpleUploadedFile(
        "2027.csv", "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n".encode()
    )
    response = client.post(
        reverse("workdays:import"),
        {"file": upload, "notice": "国办发明电〔2026〕9号", "title": "通知"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workdays:year", args=[2027])
    year = CalendarYear.objects.get(year=2027)
    assert year.is_published and year.loaded_by == world.user_admin
    assert year.history.first().history_user == world.user_admin
    assert not is_workday(D(2027, 1, 4))
    assert [c["years"] for c in hook_calls] == [[2027]]
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="provisional-badge"' not in html and "is loaded and in force" in html


def test_a_bad_file_on_the_page_names_the_lines_and_saves_nothing(client_for):
    upload = SimpleUploadedFile(
        "2027.csv", b"2027-01-01,holiday,x\n2027-13-01,holiday,x\n2027-01-02,off,x\n"
    )
    response = client_for("admin").post(reverse("workdays:import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    problems = html[html.index('data-testid="import-problems"') :]
    assert "line 2" in problems and "2027-13-01" in problems
    assert "line 3" in problems and "off" in problems
    assert "line 1" not in problems
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_file_that_is_not_csv_is_refused(client_for):
    upload = SimpleUploadedFile("2027.xlsx", b"PK\x03\x04")
    response = client_for("admin").post(reverse("workdays:import"), {"file": upload})
    assert response.status_code == 200 and "Upload a .csv file." in response.content.decode()


def test_the_admin_publishes_a_draft_on_the_page(client_for, world, hook_calls):
    load_year(
        2027,
        [(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 1, 4), "holiday", "元旦")],
        notice="",
        status="draft",
    )
    client = client_for("admin")
    html = client.get(reverse("workdays:year", args=[2027])).content.decode()
    assert 'data-testid="draft-entries"' in html and 'data-testid="provisional-badge"' in html
    assert add_workdays(D(2026, 12, 31), 1).date == D(2027, 1, 4)
    response = client.post(reverse("workdays:publish", args=[2027]))
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).is_published
    assert add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 5), False)
    assert [c["years"] for c in hook_calls] == [[2027]]
    again = client.post(reverse("workdays:publish", args=[2027]), follow=True)
    assert "already published" in again.content.decode()
    assert client.post(reverse("workdays:publish", args=[2031])).status_code == 404


def test_only_the_admin_role_edits(client_for):
    for who in ("bureau", "supervisor", "city"):
        client = client_for(who)
        assert client.get(reverse("workdays:import")).status_code == 403
        assert client.post(reverse("workdays:publish", args=[2026])).status_code == 403
    assert client_for("enterprise").get(reverse("workdays:calendar")).status_code == 403


@pytest.fixture
def admin_client(client, world):
    user = world.user_admin
    user.is_staff = True
    user.save()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_the_django_admin_edits_a_published_year_and_puts_it_in_force(admin_client, hook_calls):
    year = CalendarYear.objects.get(year=2026)
    assert admin_client.get(reverse("admin:workdays_calendaryear_changelist")).status_code == 200
    url = reverse("admin:workdays_calendaryear_change", args=[year.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="status"' not in html  # a published year stays published
    entries = list(year.entries.order_by("date"))
    data = {
        "notice": year.notice,
        "notice_title": year.notice_title,
        "entries-TOTAL_FORMS": str(len(entries) + 1),
        "entries-INITIAL_FORMS": str(len(entries)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    }
    for i, e in enumerate(entries):
        data.update(
            {
                f"entries-{i}-id": str(e.pk),
                f"entries-{i}-calendar_year": str(year.pk),
                f"entries-{i}-date": e.date.isoformat(),
                f"entries-{i}-kind": e.kind,
                f"entries-{i}-name": e.name,
            }
        )
    n = len(entries)
    data.update(
        {
            f"entries-{n}-calendar_year": str(year.pk),
            f"entries-{n}-date": "2026-12-31",
            f"entries-{n}-kind": "holiday",
            f"entries-{n}-name": "测试",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not is_workday(D(2026, 12, 31))
    assert add_workdays(D(2026, 12, 30), 1).date == D(2027, 1, 4)
    assert [c["years"] for c in hook_calls] == [[2026]]
    # An entry of another year is refused.
    data[f"entries-{n}-date"] = "2027-01-05"
    data["entries-INITIAL_FORMS"] = str(n)
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "is not in 2026" in response.content.decode()
    assert not CalendarEntry.objects.filter(date=D(2027, 1, 5)).exists()


def test_a_published_year_cannot_be_deleted_in_the_admin(admin_client):
    year = CalendarYear.objects.get(year=2026)
    response = admin_client.get(reverse("admin:workdays_calendaryear_delete", args=[year.pk]))
    assert response.status_code == 403
