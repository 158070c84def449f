"""Figures cannot go backwards by mistake (issue 16, point 11): the cumulative investment
of the monthly reports and the funds in place go back only by a correction that names its
reason; a filed month is not rewritten silently; every form names all its problems in one
answer; names and text fields refuse markup.

The world's ``project1_a`` is signed (2026-03-02); today is 2026-06-15."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.projects import services
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project, StageEvent

D = datetime.date
MARCH, APRIL, MAY = D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)
JUNE_10 = D(2026, 6, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def report(month, this, cumulative, **extra) -> dict:
    data = {
        "month": month,
        "investment_this_month": Decimal(this),
        "investment_cumulative": Decimal(cumulative),
        "funds_this_month": Decimal("0"),
        "image_progress": "主体结构施工",
        "problems": "",
    }
    data.update(extra)
    return data


def file(world, data):
    return services.submit_monthly_report(world.user_secretary, world.project1_a, data)


@pytest.fixture
def march_april(world):
    """March: 300 this month, 300 cumulative; April: 450 more, 300 + 450 = 750."""
    file(world, report(MARCH, "300", "300"))
    file(world, report(APRIL, "450", "750"))
    return world


def funds(amount, received_on=JUNE_10, **extra) -> dict:
    data = {
        "received_on": received_on,
        "amount": Decimal(amount),
        "origin": "in_city",
        "use": "fixed_assets",
    }
    data.update(extra)
    return data


# -- the cumulative investment --------------------------------------------------------------


def test_the_monthly_figures_add_up_month_by_month(march_april):
    world = march_april
    # May: nothing spent; the cumulative stays 750 (equal is not going back).
    file(world, report(MAY, "0", "750"))
    rows = MonthlyReport.objects.filter(project=world.project1_a).order_by("month")
    assert [(r.month, r.investment_this_month, r.investment_cumulative) for r in rows] == [
        (MARCH, Decimal("300"), Decimal("300")),
        (APRIL, Decimal("450"), Decimal("750")),  # 300 + 450
        (MAY, Decimal("0"), Decimal("750")),  # 750 + 0
    ]
    assert not any(r.is_correction for r in rows)


def test_a_cumulative_figure_below_the_month_before_is_refused_naming_the_field(march_april):
    world = march_april
    with pytest.raises(ValidationError) as exc:
        file(world, report(MAY, "20", "700"))  # 700 < April's 750
    assert list(exc.value.error_dict) == ["investment_cumulative"]
    (message,) = exc.value.message_dict["investment_cumulative"]
    assert "(700)" in message and "2026-04" in message and "(750," in message
    assert "correction" in message
    assert not MonthlyReport.objects.filter(month=MAY).exists()


def test_a_correction_with_its_reason_is_accepted_and_the_month_before_kept(march_april):
    world = march_april
    reason = "4月误将设备预付款100万元计入完成投资，经审计核减"
    may = file(world, report(MAY, "50", "700", is_correction=True, correction_reason=reason))
    may.refresh_from_db()
    assert may.is_correction and may.correction_reason == reason
    assert may.investment_cumulative == Decimal("700")
    assert may.cumulative_before == Decimal("750")  # April's figure, the one it goes back from
    april = MonthlyReport.objects.get(project=world.project1_a, month=APRIL)
    assert (april.investment_this_month, april.investment_cumulative) == (450, 750)
    assert not april.is_correction and april.history.count() == 1  # never rewritten
    event = DomainEvent.objects.filter(verb="project.monthly_report_corrected").get()
    assert reason in event.summary
    # June goes on from the corrected figure: 700 + 80 = 780, no correction needed.
    assert not file(world, report(D(2026, 6, 1), "80", "780")).is_correction


def test_a_correction_needs_its_reason_and_a_reason_needs_the_tick(march_april):
    world = march_april
    with pytest.raises(ValidationError) as exc:
        file(world, report(MAY, "50", "700", is_correction=True, correction_reason="  "))
    assert list(exc.value.error_dict) == ["correction_reason"]
    with pytest.raises(ValidationError) as exc:
        file(world, report(MAY, "50", "700", correction_reason="审计核减"))
    # (both said at once: the reason without the tick, and the figure going back)
    assert set(exc.value.error_dict) == {"is_correction", "investment_cumulative"}


def test_a_filed_month_is_changed_only_by_a_correction(march_april):
    world = march_april
    # Text alone may be completed without a correction.
    file(world, report(APRIL, "450", "750", problems="材料涨价"))
    with pytest.raises(ValidationError) as exc:
        file(world, report(APRIL, "400", "700"))
    assert set(exc.value.error_dict) == {"investment_this_month", "investment_cumulative"}
    assert "filed with 750" in exc.value.message_dict["investment_cumulative"][0]
    assert "filed with 450" in exc.value.message_dict["investment_this_month"][0]
    april = file(
        world, report(APRIL, "400", "700", is_correction=True, correction_reason="重复计入50万元")
    )
    assert (april.investment_cumulative, april.cumulative_before) == (700, 750)
    figures = list(april.history.order_by("history_id").values_list("investment_cumulative"))
    assert figures == [(750,), (750,), (700,)]  # the filed figures stay in the history


def test_an_earlier_month_above_a_later_one_is_refused(world):
    file(world, report(APRIL, "750", "750"))
    with pytest.raises(ValidationError) as exc:
        file(world, report(MARCH, "800", "800"))  # April's 750 would then go back
    assert list(exc.value.error_dict) == ["investment_cumulative"]
    assert "2026-04" in exc.value.message_dict["investment_cumulative"][0]


# -- funds in place ---------------------------------------------------------------------------


def test_funds_go_down_only_by_a_correction_of_this_month(world):
    project, secretary = world.project1_a, world.user_secretary
    services.record_funds(secretary, project, funds("1200", D(2026, 4, 20)))
    services.record_funds(secretary, project, funds("300", D(2026, 5, 18)))
    with pytest.raises(ValidationError) as exc:
        services.record_funds(secretary, project, funds("-200"))
    assert list(exc.value.error_dict) == ["amount"]
    with pytest.raises(ValidationError) as exc:  # dated in May: May's funds would change
        services.record_funds(
            secretary,
            project,
            funds("-200", D(2026, 5, 31), is_correction=True, correction_reason="重复登记"),
        )
    assert list(exc.value.error_dict) == ["received_on"]
    assert "2026-06-01" in exc.value.message_dict["received_on"][0]
    with pytest.raises(ValidationError) as exc:  # more than the 1,500 recorded
        services.record_funds(
            secretary, project, funds("-1600", is_correction=True, correction_reason="重复登记")
        )
    assert "1,500" in exc.value.message_dict["amount"][0]
    entry = services.record_funds(
        secretary, project, funds("-200", is_correction=True, correction_reason="5月重复登记")
    )
    assert entry.is_correction and entry.correction_reason == "5月重复登记"
    amounts = FundsEntry.objects.filter(project=project).order_by("received_on")
    assert [e.amount for e in amounts] == [1200, 300, -200]  # the entries corrected stay
    # 1,200 + 300 − 200 = 1,300 in place; by the end of May still 1,200 + 300 = 1,500.
    assert sum(e.amount for e in amounts) == Decimal("1300")


def test_the_funds_page_shows_the_correction_and_its_reason(world, client_for):
    project, secretary = world.project1_a, world.user_secretary
    services.record_funds(secretary, project, funds("1200", D(2026, 4, 20)))
    client = client_for("bureau")
    url = reverse("projects:funds", args=[project.pk])
    refused = client.post(url, {**funds("-200"), "received_on": "2026-06-12"})
    assert refused.status_code == 400
    assert 'data-field="amount"' in refused.content.decode()
    response = client.post(
        url,
        {
            **funds("-200"),
            "received_on": "2026-06-12",
            "is_correction": "on",
            "correction_reason": "4月重复登记200万元",
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert 'data-testid="funds-total">1,000<' in html  # 1,200 − 200
    assert 'data-testid="correction"' in html and "4月重复登记200万元" in html


# -- the page: a correction, and every problem in one answer ----------------------------------


def test_the_progress_page_refuses_a_drop_and_files_a_correction(march_april, client_for):
    world = march_april
    client = client_for("bureau")
    url = reverse("projects:progress", args=[world.project1_a.pk])
    data = {
        "month": "2026-05",
        "investment_this_month": "50",
        "investment_cumulative": "700",
        "funds_this_month": "0",
        "image_progress": "钢结构吊装",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert 'data-field="investment_cumulative"' in refused.content.decode()
    reason = "4月误将设备预付款计入，审计核减"
    filed = client.post(url, {**data, "is_correction": "on", "correction_reason": reason})
    assert filed.status_code == 302
    html = client.get(url).content.decode()
    assert 'data-testid="correction"' in html
    assert "由750更正为700" in html and reason in html  # corrected from 750 to 700


def test_the_progress_form_names_every_problem_in_one_answer(march_april, client_for):
    world = march_april
    response = client_for("bureau").post(
        reverse("projects:progress", args=[world.project1_a.pk]),
        {
            "month": "2026-05",
            "investment_this_month": "50",
            "investment_cumulative": "700",  # below April's 750
            "funds_this_month": "-1",  # negative
            "image_progress": "",  # required
            "problems": "<b>停工</b>",  # markup
            "photos": [SimpleUploadedFile("site.png", b"not a png")],  # content lies
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("investment_cumulative", "funds_this_month", "image_progress", "problems"):
        assert f'data-field="{field}"' in html, field
    assert "“site.png”的文件内容与其扩展名.png不符" in html  # the photo, in the same answer
    assert not MonthlyReport.objects.filter(month=MAY).exists()


def test_registering_a_project_names_every_problem_at_once(world):
    data = {
        "name": "<script>alert(1)</script>",
        "park": world.park1_a,
        "enterprise": world.enterprise1_b,  # another district's
        "total_investment": Decimal("100"),
        "fixed_asset_investment": Decimal("200"),  # more than the total
        "planned_start_on": D(2026, 9, 1),
        "planned_completion_on": D(2026, 8, 1),  # before the start
    }
    with pytest.raises(ValidationError) as exc:
        services.create_project(world.user_bureau, world.district_a, data)
    assert set(exc.value.error_dict) == {
        "name",
        "enterprise",
        "fixed_asset_investment",
        "planned_completion_on",
    }
    assert "Project name" in exc.value.message_dict["name"][0]
    assert not Project.objects.filter(name__startswith="<").exists()


def test_a_stage_change_names_its_date_and_its_evidence_at_once(world):
    project = world.project1_a  # signed → registered needs the business licence
    with pytest.raises(ValidationError) as exc:
        services.change_stage(world.user_bureau, project, "registered", D(2026, 7, 1))
    assert set(exc.value.error_dict) == {"occurred_on", "evidence_business_license"}
    assert not StageEvent.objects.filter(project=project, to_stage="registered").exists()


# -- markup in names and text -------------------------------------------------------------


def test_markup_in_a_name_is_refused_on_the_page(world, client_for):
    response = client_for("bureau").post(
        reverse("projects:create"),
        {
            "name": "新项目<img src=x onerror=alert(1)>",
            "kind": "investment",
            "park": world.park1_a.pk,
            "level": "general",
            "source": "direct",
            "total_investment": "100",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="name"' in html and "不能含有" in html  # cannot contain markup
    assert not Project.objects.filter(name__startswith="新项目").exists()


def test_markup_in_a_name_is_refused_by_the_api(world, client_for):
    client = client_for("bureau")
    payload = {
        "name": "<b>新项目</b>",
        "park": world.park1_a.pk,
        "total_investment": "100",
        "description": "一期</p>",
    }
    en = {"content_type": "application/json", "HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.post("/api/v1/projects/", payload, **en)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"name", "description"}  # both at once
    assert "Project name" in body["name"][0]  # the field is named
    assert "Description" in body["description"][0]
    # A “<” before a digit or a space is plain text.
    plain = {**payload, "name": "用地<50亩的新项目", "description": "a < b"}
    assert client.post("/api/v1/projects/", plain, **en).status_code == 201


def test_markup_is_refused_in_an_enterprise_name_and_in_imports(world):
    from zhaoshang.core.imports.parsers import Text
    from zhaoshang.enterprises.models import Enterprise

    enterprise = Enterprise(district=world.district_a, name="<i>某某</i>有限公司")
    with pytest.raises(ValidationError) as exc:
        enterprise.full_clean(exclude=["credit_code", "district"])
    assert "Enterprise name" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        Text(120)("<script>x", None)
    assert Text(120)("<5亩", None) == "<5亩"


def test_the_validator_reads_tags_not_comparisons_and_names_the_field():
    from zhaoshang.core.validators import NoMarkupValidator, contains_markup

    assert [contains_markup(t) for t in ("<b>", "</", "<!--", "<?x", "<5", "a < b", "≤<=")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValidationError) as exc:
        NoMarkupValidator("Project name")("<b>x</b>")
    assert "“Project name”" in exc.value.messages[0]


def test_the_project_form_names_a_missing_name_and_a_bad_plan_at_once(world, client_for):
    response = client_for("bureau").post(
        reverse("projects:create"),
        {
            "name": "",  # required
            "kind": "investment",
            "park": world.park1_a.pk,
            "level": "general",
            "source": "direct",
            "total_investment": "100",
            "fixed_asset_investment": "200",  # more than the total
            "planned_start_on": "2026-09-01",
            "planned_completion_on": "2026-08-01",  # before the start
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "fixed_asset_investment", "planned_completion_on"):
        assert f'data-field="{field}"' in html, field
