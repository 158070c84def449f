"""The public verification page (扫码入企): no login; valid from approval to 3 days after
the visit date; withdrawn when cancelled; typed codes are read case-insensitively without
dashes or spaces; the page shows only what the enterprise needs; guessing is throttled."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhaoshang.inspections import services
from zhaoshang.inspections.tests.factories import make_request

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date


def _go_to(traveller, day: datetime.date) -> None:
    traveller.move_to(datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC))


@pytest.fixture
def approved(world):
    return make_request(
        world,
        enterprises=[world.enterprise1_a, world.enterprise2_a],
        purpose="机密检查事项：核查举报线索",
        quiet_day_reason="内部理由不得外泄",
        approve=True,
    )


def _verdict(response) -> str:
    html = response.content.decode()
    return html.split('data-verdict="')[1].split('"')[0]


def test_a_valid_code_shows_only_what_the_enterprise_needs(client, world, approved):
    visit = approved.visits.get(enterprise=world.enterprise1_a)
    other = approved.visits.get(enterprise=world.enterprise2_a)
    response = client.get(reverse("verify:code", args=[visit.code]))
    assert response.status_code == 200
    assert _verdict(response) == "valid"
    html = response.content.decode()
    assert world.enterprise1_a.name in html
    assert world.dept_works_a.name in html
    assert "张三（执法证号 51010001）" in html
    assert "2026-06-25" in html and "2026-06-28" in html  # the date and valid until
    # Nothing else: not the other enterprise of the request, its code, the purpose, the
    # internal reasons, the request's number or ids.
    for secret in (
        world.enterprise2_a.name,
        other.code,
        approved.purpose,
        approved.quiet_day_reason,
        approved.number,
        f"/inspections/{approved.pk}/",
        world.user_department.real_name,
    ):
        assert secret not in html


def test_typed_codes_are_normalised(client, approved):
    code = approved.visits.first().code
    typed = " " + approved.visits.first().code_display.lower() + " "
    response = client.get(reverse("verify:form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:code", args=[code])
    spaced = "-".join(code[i : i + 5] for i in range(0, 20, 5)).lower()
    assert _verdict(client.get(reverse("verify:code", args=[spaced]))) == "valid"


def test_validity_window(client, approved, _frozen_time):
    url = reverse("verify:code", args=[approved.visits.first().code])
    _go_to(_frozen_time, D(2026, 6, 28))  # visit date + 3 days: still valid
    assert _verdict(client.get(url)) == "valid"
    _go_to(_frozen_time, D(2026, 6, 29))
    response = client.get(url)
    assert response.status_code == 200 and _verdict(response) == "expired"


def test_filed_rejected_and_cancelled(client, world, approved):
    filed = make_request(world, enterprises=[world.enterprise2_a])
    assert not filed.visits.first().code  # no code before approval
    url = reverse("verify:code", args=[approved.visits.first().code])
    services.cancel_request(world.user_department, approved)
    response = client.get(url)
    assert _verdict(response) == "withdrawn"
    assert world.dept_works_a.name not in response.content.decode()


def test_unknown_code(client, db):
    response = client.get(reverse("verify:code", args=["ABCD-EFGH-JKMN-PQRS-TVWX"]))
    assert response.status_code == 404 and _verdict(response) == "unknown"


def test_a_joint_inspection_shows_every_department(client, world):
    works = make_request(world, approve=True)
    land = make_request(world, by=world.user_admin, department=world.dept_land_a, approve=True)
    services.merge_visits(
        world.user_supervisor,
        works.visits.get(),
        others=[land.visits.get()],
        visit_on=D(2026, 6, 26),
        lead_department=world.dept_land_a,
    )
    html = client.get(reverse("verify:code", args=[land.visits.get().code])).content.decode()
    assert world.dept_works_a.name in html and world.dept_land_a.name in html
    assert "2026-06-26" in html


def test_guessing_is_throttled(client, settings, approved):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 3
    good = reverse("verify:code", args=[approved.visits.first().code])
    for i in range(3):
        response = client.get(reverse("verify:code", args=[f"ZZZZZZZZZZZZZZZZZZZ{i}"]))
        assert response.status_code == 404
    # Blocked now, for every code from this address (a valid one too) …
    response = client.get(reverse("verify:code", args=["ZZZZZZZZZZZZZZZZZZZZ"]))
    assert response.status_code == 429
    assert "请稍后再试" in response.content.decode()
    assert "try again later" in response.content.decode()
    assert client.get(good).status_code == 429
    # … but not for another address.
    assert client.get(good, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_throttle_window_ends(client, settings, approved, _frozen_time):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 10
    settings.INSPECTION_VERIFY_WINDOW_SECONDS = 600
    for _i in range(10):
        client.get(reverse("verify:code", args=["nope"]))
    good = reverse("verify:code", args=[approved.visits.first().code])
    assert client.get(good).status_code == 429
    _frozen_time.shift(datetime.timedelta(seconds=601))
    assert client.get(good).status_code == 200


def test_valid_look_ups_do_not_count(client, settings, approved):
    settings.INSPECTION_VERIFY_MAX_FAILURES = 2
    good = reverse("verify:code", args=[approved.visits.first().code])
    for _i in range(5):
        assert client.get(good).status_code == 200


def test_the_enterprise_rates_on_the_verification_page(client_for, world, approved, _frozen_time):
    visit = approved.visits.get(enterprise=world.enterprise1_a)
    _go_to(_frozen_time, D(2026, 6, 25))
    services.record_visit(
        world.user_department, visit, carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    client = client_for("enterprise")
    page = client.get(reverse("verify:code", args=[visit.code]))
    assert page.status_code == 200 and 'name="rating"' in page.content.decode()
    response = client.post(reverse("verify:rate", args=[visit.code]), {"rating": "satisfied"})
    assert response.status_code == 400  # the page sends the version it showed
    visit.refresh_from_db()
    response = client.post(
        reverse("verify:rate", args=[visit.code]),
        {"rating": "satisfied", "version": visit.version},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.rating == "satisfied"
    # Another enterprise's user may look but not rate.
    other = approved.visits.get(enterprise=world.enterprise2_a)
    services.record_visit(
        world.user_department, other, carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    assert (
        client.post(reverse("verify:rate", args=[other.code]), {"rating": "satisfied"}).status_code
        == 403
    )
    assert (
        'name="rating"'
        not in client.get(reverse("verify:code", args=[other.code])).content.decode()
    )


def test_the_slip_and_the_qr_code(client_for, world, approved):
    visit = approved.visits.first()
    client = client_for("department")
    page = client.get(reverse("inspections:detail", args=[approved.pk])).content.decode()
    assert visit.code_display in page and "<svg" in page
    slip = client.get(reverse("inspections:slip", args=[approved.pk, visit.pk]))
    assert slip.status_code == 200
    html = slip.content.decode()
    assert "<svg" in html and f"http://testserver/verify/{visit.code}/" in html
    # People of other departments see the request, not its codes.
    bureau = client_for("bureau")
    page = bureau.get(reverse("inspections:detail", args=[approved.pk])).content.decode()
    assert visit.code_display not in page and "<svg" not in page
    assert bureau.get(reverse("inspections:slip", args=[approved.pk, visit.pk])).status_code == 403


def test_a_stale_rating_on_the_verification_page_is_409(client_for, world, approved, _frozen_time):
    visit = approved.visits.get(enterprise=world.enterprise1_a)
    _go_to(_frozen_time, D(2026, 6, 25))
    services.record_visit(
        world.user_department, visit, carried_out_on=D(2026, 6, 25), findings="无问题"
    )
    response = client_for("enterprise").post(
        reverse("verify:rate", args=[visit.code]), {"rating": "satisfied", "version": 1}
    )
    assert response.status_code == 409
    visit.refresh_from_db()
    assert visit.rating == ""
