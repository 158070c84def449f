"""The service hall's inspections and fees: the enterprise sees the visits approved for it
(and no other enterprise's), checks an inspector's code against today and its own
enterprise, reports a visit that had no approved code (a complaint of its own, channel
portal) and rates a visit carried out (the visit's rating and its 好差评 row together)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhaoshang.complaints.models import Complaint
from zhaoshang.inspections import services
from zhaoshang.inspections.models import UnapprovedVisitReport
from zhaoshang.inspections.tests.factories import PLANNED, make_request
from zhaoshang.portal import visits
from zhaoshang.portal.views.inspections import complaint_url
from zhaoshang.ratings.models import Rating
from zhaoshang.testing.world import FROZEN_NOW

TODAY = FROZEN_NOW.date()
QUIET = {"quiet_day_reason": "安全生产专项整治，时间紧"}


def _today_visit(world, tag="a", enterprise=None, **extra):
    enterprise = enterprise or getattr(world, f"enterprise1_{tag}")
    request = make_request(
        world, tag, enterprises=[enterprise], approve=True, planned_on=TODAY, **QUIET, **extra
    )
    return request.visits.get()


def _check(client, code):
    response = client.get(reverse("portal:inspection_check"), {"code": code})
    assert response.status_code == 200
    return response


# --- the check of a code ---------------------------------------------------------------


def test_a_code_of_its_own_enterprise_for_today_is_approved_today(world, client_for):
    visit = _today_visit(world)
    response = _check(client_for("enterprise"), visit.code_display.lower())
    result = response.context["result"]
    assert result.answer == "today" and result.approved_today
    html = response.content.decode()
    assert 'data-answer="today"' in html and "report-link" not in html
    assert world.dept_works_a.name in html and "执法证号 51010001" in html


def test_a_code_of_its_own_enterprise_for_another_day_is_not_approved_today(world, client_for):
    visit = make_request(world, approve=True).visits.get()  # 25 June
    result = _check(client_for("enterprise"), visit.code).context["result"]
    assert result.answer == "other_day" and not result.approved_today
    assert result.visit == visit


def test_a_late_visit_within_the_grace_days_is_approved_today(world, _frozen_time):
    visit = make_request(world, approve=True).visits.get()
    found = visits.check_code(world.user_enterprise, visit.code, PLANNED + datetime.timedelta(2))
    assert found.answer == "today"
    found = visits.check_code(world.user_enterprise, visit.code, PLANNED + datetime.timedelta(4))
    assert found.answer == "expired"


def test_a_code_of_another_enterprise_says_nothing_of_it(world, client_for):
    other = _today_visit(world, enterprise=world.enterprise2_a)
    response = _check(client_for("enterprise"), other.code)
    result = response.context["result"]
    assert result.answer == "other_enterprise" and result.visit is None
    assert result.departments == []
    html = response.content.decode()
    assert world.enterprise2_a.name not in html
    assert "执法证号" not in html and 'data-testid="report-link"' in html


def test_a_code_of_another_district_is_another_enterprises(world, client_for):
    other = _today_visit(world, "b")
    assert _check(client_for("enterprise"), other.code).context["result"].answer == (
        "other_enterprise"
    )


def test_a_withdrawn_code_is_refused(world, client_for):
    visit = _today_visit(world)
    services.cancel_request(world.user_department, visit.request, reason="改期")
    assert _check(client_for("enterprise"), visit.code).context["result"].answer == "withdrawn"


def test_an_unknown_code_is_red_with_the_report_link_and_counts_as_a_failure(
    world, client_for, settings
):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 2
    client = client_for("enterprise")
    response = _check(client, "0000-0000-0000-0000-0000")
    assert response.context["result"].answer == "unknown"
    report = reverse("portal:inspection_report") + "?code=00000000000000000000"
    assert report in response.content.decode()
    _check(client, "nonsense")
    response = client.get(reverse("portal:inspection_check"), {"code": "nonsense"})
    assert response.status_code == 429


def test_the_check_page_without_a_code_is_the_form(client_for):
    response = client_for("enterprise").get(reverse("portal:inspection_check"))
    assert response.status_code == 200 and response.context["result"] is None
    assert "data-scan" in response.content.decode()


# --- the list and the visit's page -----------------------------------------------------


def test_the_list_shows_its_own_approved_visits_only(world, client_for):
    own = _today_visit(world)
    later = make_request(world, approve=True).visits.get()
    _today_visit(world, enterprise=world.enterprise2_a)
    _today_visit(world, "b")
    pending = make_request(  # not approved
        world, by=world.user_admin, department=world.dept_land_a, planned_on=PLANNED
    )
    client = client_for("enterprise")
    rows = list(client.get(reverse("portal:inspections")).context["page"])
    assert [v.pk for v in rows] == [later.pk, own.pk]
    assert pending.visits.get().pk not in [v.pk for v in rows]
    assert [v.state for v in rows] == ["upcoming", "today"]


def test_the_list_filters_upcoming_and_past(world, client_for):
    today = _today_visit(world)
    later = make_request(world, approve=True).visits.get()
    services.record_visit(world.user_department, today, carried_out_on=TODAY, findings="无问题")
    client = client_for("enterprise")
    url = reverse("portal:inspections")
    upcoming = client.get(url, {"when": "upcoming"}).context["page"]
    past = client.get(url, {"when": "past"}).context["page"]
    assert [v.pk for v in upcoming] == [later.pk]
    assert [v.pk for v in past] == [today.pk]
    assert past[0].state == "carried_out"


def test_the_visit_page_shows_the_code_findings_and_the_rating_form(world, client_for):
    visit = _today_visit(world)
    client = client_for("enterprise")
    html = client.get(reverse("portal:inspection", args=[visit.pk])).content.decode()
    assert visit.code_display in html and 'data-testid="rate-form"' not in html
    services.record_visit(
        world.user_department, visit, carried_out_on=TODAY, findings="消防通道畅通"
    )
    html = client.get(reverse("portal:inspection", args=[visit.pk])).content.decode()
    assert "消防通道畅通" in html and 'data-testid="rate-form"' in html


# --- rating a visit ---------------------------------------------------------------------


@pytest.fixture
def carried_out(world):
    visit = _today_visit(world)
    return services.record_visit(
        world.user_department, visit, carried_out_on=TODAY, findings="无问题"
    )


def test_the_contact_rates_a_visit_and_the_rating_is_its_haochaping(world, client_for, carried_out):
    url = reverse("portal:inspection_rate", args=[carried_out.pk])
    response = client_for("enterprise").post(
        url, {"rating": "fairly", "comment": "耗时较长", "version": carried_out.version}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:inspection", args=[carried_out.pk])
    carried_out.refresh_from_db()
    assert (carried_out.rating, carried_out.rating_comment) == ("fairly", "耗时较长")
    rating = Rating.objects.get(subject_kind="visit", subject_id=carried_out.pk)
    assert rating.department_id == world.dept_works_a.pk
    assert rating.enterprise_id == world.enterprise1_a.pk
    assert (rating.score, rating.reason, rating.rated_by) == (
        "fairly",
        "耗时较长",
        world.user_enterprise,
    )


def test_not_satisfied_needs_a_reason_and_writes_nothing(client_for, carried_out):
    url = reverse("portal:inspection_rate", args=[carried_out.pk])
    response = client_for("enterprise").post(
        url, {"rating": "dissatisfied", "version": carried_out.version}
    )
    assert response.status_code == 400
    assert set(response.context["rate_form"].errors) == {"comment"}
    carried_out.refresh_from_db()
    assert carried_out.rating == ""
    assert not Rating.objects.filter(subject_kind="visit", subject_id=carried_out.pk).exists()


def test_a_visit_is_rated_once(world, carried_out):
    services.rate_visit(world.user_enterprise, carried_out, rating="satisfied")
    with pytest.raises(ValidationError) as exc:
        services.rate_visit(world.user_enterprise, carried_out, rating="satisfied")
    assert list(exc.value.message_dict) == ["rating"]
    assert Rating.objects.filter(subject_kind="visit", subject_id=carried_out.pk).count() == 1


def test_a_visit_not_carried_out_is_not_rated(world, client_for):
    visit = _today_visit(world)
    response = client_for("enterprise").post(
        reverse("portal:inspection_rate", args=[visit.pk]),
        {"rating": "satisfied", "version": visit.version},
    )
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.rating == ""


# --- reporting an unapproved visit ------------------------------------------------------


def _report(client, world, **extra):
    data = {
        "department": world.dept_land_a.pk,
        "kind": "inspection",
        "visited_on": "2026-06-15",
        "what_happened": "两名执法人员到厂检查消防，未出示核验码",
        "code_shown": "",
        **extra,
    }
    return client.post(reverse("portal:inspection_report"), data)


def test_the_contact_reports_a_visit_and_follows_its_complaint(world, client_for):
    response = _report(client_for("enterprise"), world, code_shown="0000-0000")
    assert response.status_code == 302
    complaint = Complaint.objects.get(reports_unapproved_visit=True)
    assert response["Location"] == complaint_url(complaint)
    assert complaint.enterprise == world.enterprise1_a and complaint.channel == "portal"
    assert (complaint.category, complaint.department) == ("inspections", world.dept_land_a)
    assert "两名执法人员" in complaint.text
    report = UnapprovedVisitReport.objects.get(complaint=complaint)
    assert report.reported_by == world.user_enterprise and report.code_shown == "0000-0000"


def test_a_report_names_every_missing_field_and_writes_nothing(client_for):
    response = client_for("enterprise").post(reverse("portal:inspection_report"), {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "department",
        "kind",
        "visited_on",
        "what_happened",
    }
    assert not Complaint.objects.exists()


def test_a_future_date_is_named_with_the_missing_fields(world, client_for):
    response = _report(client_for("enterprise"), world, visited_on="2026-07-01", what_happened="")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"visited_on", "what_happened"}
    assert not Complaint.objects.exists()


def test_a_visit_with_a_valid_code_for_the_day_is_not_reported(world, client_for):
    visit = _today_visit(world)
    response = _report(
        client_for("enterprise"), world, department=world.dept_works_a.pk, code_shown=visit.code
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"code_shown"}
    assert not Complaint.objects.exists()


def test_the_report_link_fills_in_the_code(client_for):
    response = client_for("enterprise").get(
        reverse("portal:inspection_report"), {"code": "ABCD-EFGH"}
    )
    assert response.context["form"].initial["code_shown"] == "ABCD-EFGH"


def test_an_enterprise_reports_only_for_itself(world):
    with pytest.raises(PermissionDenied):
        services.report_unapproved_visit(
            world.user_enterprise,
            district=world.district_a,
            enterprise=world.enterprise2_a,
            department=world.dept_land_a,
            kind="inspection",
            visited_on=TODAY,
            what_happened="未出示核验码",
            channel="portal",
        )
    assert not Complaint.objects.exists()


def test_the_complaint_link_is_the_complaint_s_page_in_the_service_hall(world, client_for):
    response = _report(client_for("enterprise"), world)
    complaint = Complaint.objects.get(reports_unapproved_visit=True)
    assert response["Location"] == reverse("portal:complaint", args=[complaint.pk])
    assert client_for("enterprise").get(response["Location"]).status_code == 200


def test_the_public_page_sends_a_contact_to_its_own_check(world, client_for):
    visit = _today_visit(world)
    html = client_for("enterprise").get(reverse("verify:code", args=[visit.code])).content.decode()
    assert f"{reverse('portal:inspection_check')}?code={visit.code}" in html
    html = client_for("bureau").get(reverse("verify:code", args=[visit.code])).content.decode()
    assert 'data-testid="portal-check"' not in html
