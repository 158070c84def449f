"""Project team rank rules, registration, editing with optimistic locking, funds and reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhaoshang.org.models import User
from zhaoshang.projects import services
from zhaoshang.projects.models import FundsEntry, MonthlyReport, Project, ProjectTeamMember


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("role", "person", "ok"),
    [
        ("manager", "manager", True),
        ("manager", "secretary", False),
        ("secretary", "secretary", True),
        ("secretary", "officer", False),
        ("secretary", "manager", False),
        ("service_officer", "officer", True),
        ("service_officer", "secretary", False),
    ],
)
def test_team_rank_rules(world, role, person, ok):
    project = world.project2_a
    member = getattr(world, f"user_{person}")
    if ok:
        services.assign_team_member(world.user_bureau, project, role, member)
        assert ProjectTeamMember.objects.filter(project=project, role=role, user=member).exists()
    else:
        with pytest.raises(ValidationError) as exc:
            services.assign_team_member(world.user_bureau, project, role, member)
        assert "user" in exc.value.error_dict
        assert not ProjectTeamMember.objects.filter(project=project, role=role).exists()


def test_a_single_team_role_is_replaced_not_doubled(world):
    project = world.project1_a
    other = User.objects.create(username="m2", district=world.district_a, rank="county")
    services.assign_team_member(world.user_bureau, project, "manager", other)
    assert list(
        project.team_members.filter(role="manager").values_list("user__username", flat=True)
    ) == ["m2"]


def test_leading_group_only_for_major_projects_and_people_of_the_district(world):
    with pytest.raises(ValidationError):
        services.assign_team_member(
            world.user_bureau, world.project2_a, "leading_group", world.user_leader
        )
    services.assign_team_member(
        world.user_bureau, world.project1_a, "leading_group", world.user_leader
    )
    with pytest.raises(ValidationError) as exc:
        services.assign_team_member(
            world.user_bureau, world.project1_a, "leading_group", world.user_leader_b
        )
    assert "another district" in str(exc.value)


def test_secretary_form_error_names_the_rank(client_for, world):
    response = client_for("bureau").post(
        reverse("projects:team_add", args=[world.project2_a.pk]),
        {"role": "secretary", "user": world.user_officer.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "must be a Section-level cadre" in response.content.decode()


def base_data(world, **extra):
    data = {
        "name": "年产5万吨铝型材项目",
        "kind": "investment",
        "enterprise": world.enterprise1_a,
        "industry": world.industry_a,
        "park": world.park1_a,
        "level": "key",
        "source": "expo",
        "total_investment": Decimal("30000"),
        "fixed_asset_investment": Decimal("24000"),
        "land_area": Decimal("120"),
    }
    data.update(extra)
    return data


def test_codes_are_allocated_per_district_and_year(world):
    first = services.create_project(world.user_bureau, world.district_a, base_data(world))
    second = services.create_project(
        world.user_bureau, world.district_a, base_data(world, name="二号项目")
    )
    assert first.code == "ZS-2026-0001" and second.code == "ZS-2026-0002"
    other = services.create_project(
        world.user_bureau_b,
        world.district_b,
        base_data(
            world, enterprise=world.enterprise1_b, industry=world.industry_b, park=world.park1_b
        ),
    )
    assert other.code == "ZS-2026-0001"
    assert first.name_initials == "nc5wdlxcxm"
    assert first.investment_intensity == Decimal("200.00")


def test_related_records_of_another_district_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.create_project(
            world.user_bureau, world.district_a, base_data(world, park=world.park1_b)
        )
    assert "park" in exc.value.error_dict
    assert not Project.objects.filter(name="年产5万吨铝型材项目").exists()


def test_inconsistent_figures_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.create_project(
            world.user_bureau,
            world.district_a,
            base_data(
                world,
                fixed_asset_investment=Decimal("40000"),
                planned_start_on=datetime.date(2026, 9, 1),
                planned_completion_on=datetime.date(2026, 8, 1),
            ),
        )
    assert set(exc.value.error_dict) == {"fixed_asset_investment", "planned_completion_on"}


def test_second_writer_is_told_and_nothing_is_overwritten(world):
    project = world.project1_a
    services.update_project(world.user_bureau, project, {"name": "第一次修改"}, expected_version=1)
    with pytest.raises(ValidationError) as exc:
        services.update_project(
            world.user_admin, project, {"name": "第二次修改"}, expected_version=1
        )
    assert exc.value.code == "concurrent_edit"
    project.refresh_from_db()
    assert project.name == "第一次修改" and project.version == 2


def test_edit_form_reports_a_concurrent_edit(client_for, world):
    project = world.project1_a
    services.update_project(world.user_admin, project, {"name": "别人先改了"}, expected_version=1)
    response = client_for("bureau").post(
        reverse("projects:edit", args=[project.pk]),
        {
            "name": "我的修改",
            "kind": "investment",
            "park": world.park1_a.pk,
            "level": "major",
            "source": "direct",
            "total_investment": "50000",
            "version": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    project.refresh_from_db()
    assert project.name == "别人先改了"


def test_create_form_shows_field_errors_in_chinese(client_for, world):
    with translation.override("zh-hans"):
        response = client_for("bureau").post(reverse("projects:create"), {"name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("该字段是必填项") >= 3
    assert not Project.objects.filter(name="").exists()


def test_funds_are_positive_and_for_signed_projects(world):
    with pytest.raises(ValidationError):
        services.record_funds(
            world.user_bureau,
            world.project2_a,
            {
                "received_on": datetime.date(2026, 6, 1),
                "amount": Decimal("10"),
                "origin": "in_city",
                "use": "fixed_assets",
            },
        )
    with pytest.raises(ValidationError) as exc:
        services.record_funds(
            world.user_bureau,
            world.project1_a,
            {
                "received_on": datetime.date(2026, 7, 1),
                "amount": Decimal("-1"),
                "origin": "in_city",
                "use": "fixed_assets",
            },
        )
    assert set(exc.value.error_dict) == {"amount", "received_on"}
    services.record_funds(
        world.user_secretary,
        world.project1_a,
        {
            "received_on": datetime.date(2026, 6, 1),
            "amount": Decimal("1200"),
            "origin": "out_of_province",
            "use": "fixed_assets",
        },
    )
    assert FundsEntry.objects.get().amount == Decimal("1200")


def test_monthly_report_is_filed_once_a_month_and_corrected_in_place(world):
    data = {
        "month": datetime.date(2026, 6, 1),
        "investment_this_month": Decimal("300"),
        "investment_cumulative": Decimal("300"),
        "funds_this_month": Decimal("0"),
        "image_progress": "场地平整完成",
        "problems": "",
    }
    photo = SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n....")
    report = services.submit_monthly_report(world.user_secretary, world.project1_a, data, [photo])
    assert report.photos.count() == 1 and not report.is_late
    services.submit_monthly_report(
        world.user_secretary, world.project1_a, dict(data, image_progress="已开工")
    )
    assert MonthlyReport.objects.get().image_progress == "已开工"
    with pytest.raises(ValidationError) as exc:
        services.submit_monthly_report(
            world.user_secretary, world.project1_a, dict(data, month=datetime.date(2026, 7, 1))
        )
    assert services.submit_monthly_report(
        world.user_secretary, world.project1_a, dict(data, month=datetime.date(2026, 4, 1))
    ).is_late
    assert "month" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.submit_monthly_report(world.user_secretary, world.project2_a, data)


def test_a_report_after_the_fifth_is_late(world):
    data = {
        "month": datetime.date(2026, 4, 1),
        "investment_this_month": Decimal("1"),
        "investment_cumulative": Decimal("1"),
        "funds_this_month": Decimal("0"),
        "image_progress": "x",
    }
    assert services.submit_monthly_report(world.user_secretary, world.project1_a, data).is_late


def test_the_page_flow_for_stage_change(client_for, world):
    client = client_for("secretary")
    url = reverse("projects:stage", args=[world.project1_a.pk])
    page = client.get(url)
    assert "evidence_business_license" in page.content.decode()
    response = client.post(
        url,
        {
            "to_stage": "registered",
            "occurred_on": "2026-06-12",
            "reason": "",
            "version": "1",
            "evidence_business_license": SimpleUploadedFile("yyzz.pdf", b"%PDF-1.4 yyzz"),
        },
    )
    assert response.status_code == 302
    timeline = client.get(reverse("projects:timeline", args=[world.project1_a.pk])).content.decode()
    assert (
        "2026-06-12" in timeline and "yyzz" not in timeline
    )  # the material name is shown, not the file
