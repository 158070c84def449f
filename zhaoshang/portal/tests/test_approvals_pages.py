"""My approvals in the service hall: the list and its filters, a case's facts (days in its
limit's unit, pauses and their reasons, return, result), the forecast, the rating form,
and 办结告知 leading the enterprise to the portal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import CaseStatus
from zhaoshang.notifications.models import Notification
from zhaoshang.portal.tests.approvals_cases import PDF, done_case, make_cases
from zhaoshang.ratings.models import Rating


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cases(world):
    return make_cases(world)


@pytest.fixture
def contact(client_for):
    client = client_for("enterprise")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_list_shows_every_case_of_the_enterprise_and_none_of_another(world, cases, contact):
    other = done_case(world, world.project2_a, code="XM-01")
    page = contact.get(reverse("portal:approvals")).content.decode()
    for case in cases.values():
        assert reverse("portal:case", args=[case.pk]) in page
    assert reverse("portal:case", args=[world.case_a.pk]) in page
    assert reverse("portal:case", args=[other.pk]) not in page
    assert reverse("portal:case", args=[world.case_out_a.pk]) not in page
    assert "Clock paused" in page  # the paused case
    assert 'data-testid="cases-cards"' in page  # cards on a phone


def test_filters_by_status_and_project(world, cases, contact):
    url = reverse("portal:approvals")
    done = contact.get(url, {"status": "done"}).content.decode()
    assert reverse("portal:case", args=[cases["done"].pk]) in done
    assert reverse("portal:case", args=[cases["paused"].pk]) not in done
    opened = contact.get(url, {"status": "open"}).content.decode()
    assert reverse("portal:case", args=[cases["done"].pk]) not in opened
    assert reverse("portal:case", args=[cases["returned"].pk]) not in opened
    assert reverse("portal:case", args=[cases["pending"].pk]) in opened
    # Another enterprise's project is not a choice: the filter is refused, the list whole.
    other = contact.get(url, {"project": world.project2_a.pk})
    assert other.status_code == 200
    assert reverse("portal:case", args=[world.case_out_a.pk]) not in other.content.decode()


def test_the_forecast_of_the_remaining_critical_path(world, cases, contact):
    page = contact.get(reverse("portal:approvals"), {"project": world.project1_a.pk})
    forecast = page.context["forecast"]
    assert forecast["open"] and forecast["all_done_by"].date is not None
    assert all(c.status != CaseStatus.DONE for c, _due in forecast["path"])
    assert 'data-testid="forecast"' in page.content.decode()
    expected = services.forecast(world.project1_a)
    assert forecast["all_done_by"] == expected.all_done_by
    assert [c.pk for c, _due in forecast["path"]] == [
        c.pk for c in expected.critical_path if c.status != CaseStatus.DONE
    ]
    case = cases["resumed"]
    page = contact.get(reverse("portal:case", args=[case.pk]))
    assert page.context["finish"] == expected.finish[case.pk]
    assert 'data-testid="case-forecast"' in page.content.decode()


def test_days_left_in_working_days_and_in_natural_days(world, cases, contact):
    resumed = contact.get(reverse("portal:case", args=[cases["resumed"].pk])).content.decode()
    assert "working day" in resumed
    natural = cases["natural"]
    assert natural.due_on.isoformat() == "2026-06-20"  # 10 natural days after 06-10
    page = contact.get(reverse("portal:case", args=[natural.pk])).content.decode()
    assert "5 days left" in page


def test_a_case_page_shows_pauses_return_and_result(world, cases, contact):
    paused = contact.get(reverse("portal:case", args=[cases["paused"].pk])).content.decode()
    assert "补正：缺少勘测定界图" in paused and "ongoing" in paused
    assert cases["paused"].department.name in paused
    assert "023-6000" in paused  # the handler's phone
    returned = contact.get(reverse("portal:case", args=[cases["returned"].pk])).content.decode()
    assert "申请材料与项目备案信息不一致" in returned
    done = contact.get(reverse("portal:case", args=[cases["done"].pk])).content.decode()
    assert "2026-500101-04-01-000001" in done and 'data-testid="certificate"' in done
    assert 'data-testid="rate-form"' in done
    download = contact.get(reverse("portal:case_certificate", args=[cases["done"].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_provisional_due_date_says_so(world, cases, contact):
    case = cases["resumed"]
    type(case).objects.filter(pk=case.pk).update(due_is_provisional=True)
    page = contact.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert 'data-testid="provisional"' in page


def test_a_done_case_without_a_certificate_has_no_download(world, contact):
    case = done_case(world, certificate=False)
    assert contact.get(reverse("portal:case_certificate", args=[case.pk])).status_code == 404


def test_rating_through_the_page_once(world, cases, contact):
    case = cases["done"]
    url = reverse("portal:case_rate", args=[case.pk])
    refused = contact.post(url, {"score": "dissatisfied", "reason": ""})
    assert refused.status_code == 400
    assert "Say why you are not satisfied." in refused.content.decode()
    assert not Rating.objects.exists()
    response = contact.post(url, {"score": "fairly", "reason": "材料退改一次"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.department_id) == ("fairly", case.department_id)
    page = contact.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Fairly satisfied" in page and 'data-testid="rate-form"' not in page
    again = contact.post(url, {"score": "satisfied"})
    assert again.status_code == 400 and Rating.objects.count() == 1


def test_an_open_case_is_not_rated_and_says_every_problem(world, cases, contact):
    url = reverse("portal:case_rate", args=[cases["paused"].pk])
    response = contact.post(url, {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "it can be rated once it is done" in page
    assert "Choose 满意, 基本满意 or 不满意." in page
    assert not Rating.objects.exists()


def test_case_done_tells_the_enterprise_with_a_portal_link(world, cases):
    notes = Notification.objects.filter(verb="case.done", recipient=world.user_enterprise)
    assert notes.count() == 1
    assert notes.get().url.startswith("/portal/")
    assert notes.get().url == reverse("portal:case", args=[cases["done"].pk])
    staff = Notification.objects.filter(verb="case.done").exclude(
        recipient__enterprise__isnull=False
    )
    assert staff.exists() and all(n.url.startswith("/approvals/") for n in staff)


def test_a_certificate_missing_from_the_storage_is_not_found(world, contact):
    case = done_case(world)
    case.certificate.storage.delete(case.certificate.name)
    response = contact.get(reverse("portal:case_certificate", args=[case.pk]))
    assert response.status_code == 404


def test_a_case_reads_registered_as_a_case_in_chinese(world, client_for):
    """办件登记 (the case's registration), not 注册 (a company's registration)."""
    client = client_for("enterprise")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(reverse("portal:case", args=[world.case_a.pk])).content.decode()
    assert "<dt>办件登记</dt>" in html and "注册日期" not in html


def test_days_left_text_in_each_unit_and_state(world, cases):
    """Natural days counted here; working days, a pause and a closed case in the staff
    worklist's words."""
    from zhaoshang.approvals.views import days_left_text as staff_text
    from zhaoshang.portal.views.approvals import days_left_text, enterprise_cases

    def text(key, on):
        today = datetime.date.fromisoformat(on)
        return days_left_text(
            enterprise_cases(world.user_enterprise, today).get(pk=cases[key].pk), today
        )

    assert text("natural", "2026-06-15") == "5 days left"  # due 2026-06-20
    assert text("natural", "2026-06-20") == "Due today"
    assert text("natural", "2026-06-21") == "1 day overdue"
    assert text("paused", "2026-06-15") == "Clock paused"
    assert text("done", "2026-06-15") == "" and text("returned", "2026-06-15") == ""
    resumed = enterprise_cases(world.user_enterprise, datetime.date(2026, 6, 15)).get(
        pk=cases["resumed"].pk
    )
    assert days_left_text(resumed, datetime.date(2026, 6, 15)) == staff_text(resumed)
    assert "working day" in staff_text(resumed)
