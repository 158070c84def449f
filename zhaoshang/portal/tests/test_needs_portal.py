"""The enterprise's needs in the service hall: raised to a named department or left to the
investment bureau (which passes it on), every problem of the form at once with nothing
kept, its files, its answer, and the rating of the answer (好差评)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.notifications.models import Notification
from zhaoshang.ratings.models import Rating
from zhaoshang.service import services
from zhaoshang.service.choices import NeedStatus, RaisedVia
from zhaoshang.service.models import Need, NeedAttachment


def _pdf(name: str = "现场.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 site", content_type="application/pdf")


def _raise(world, **extra):
    data = {
        "category": "utilities",
        "title": "施工临时用电",
        "description": "临时用电容量不足，影响设备调试。",
    }
    data.update(extra)
    return services.raise_enterprise_need(world.user_enterprise, world.project1_a, **data)


def test_a_need_left_to_the_government_goes_to_the_bureau_which_passes_it_on(world):
    need = _raise(world)
    assert need.department == world.dept_bureau_a
    assert need.raised_via == RaisedVia.ENTERPRISE and need.raised_by == world.user_enterprise
    assert need.due_workdays == services.ENTERPRISE_NEED_WORKDAYS
    # Monday 15 June + 5 working days, 端午节 (Friday 19 June) off: Tuesday 23 June.
    assert need.due_on == datetime.date(2026, 6, 23) and not need.due_is_provisional
    need = services.update_need(world.user_bureau, need, department=world.dept_works_a)
    assert need.department == world.dept_works_a
    assert Notification.objects.filter(
        recipient=world.user_department, verb="need.assigned"
    ).exists()


def test_a_need_named_to_a_department_goes_there_with_its_files(world):
    need = _raise(world, department=world.dept_works_a, files=[_pdf("a.pdf"), _pdf("b.pdf")])
    assert need.department == world.dept_works_a
    assert [a.original_name for a in need.attachments.all()] == ["a.pdf", "b.pdf"]
    assert Notification.objects.filter(
        recipient=world.user_department, verb="need.assigned"
    ).exists()


def test_every_problem_is_said_at_once_and_nothing_is_kept(world):
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        _raise(world, category="", title="", description="", files=[bad])
    assert set(exc.value.message_dict) == {"category", "title", "description", "attachments"}
    with pytest.raises(ValidationError) as exc:
        services.raise_enterprise_need(
            world.user_enterprise, None, category="", title="", description=""
        )
    assert set(exc.value.message_dict) == {"project", "category", "title", "description"}
    with pytest.raises(ValidationError) as exc:
        _raise(world, files=[_pdf(f"{i}.pdf") for i in range(services.MAX_NEED_FILES + 1)])
    assert set(exc.value.message_dict) == {"attachments"}
    with pytest.raises(ValidationError) as exc:
        _raise(world, department=world.dept_works_b)
    assert set(exc.value.message_dict) == {"department"}
    assert not Need.objects.exists() and not NeedAttachment.objects.exists()


def test_only_the_projects_own_enterprise_raises_and_it_changes_nothing_else(world):
    with pytest.raises(PermissionDenied):
        services.raise_enterprise_need(
            world.user_enterprise,
            world.project2_a,
            category="land",
            title="用地",
            description="用地",
        )
    # The portal's origin is the enterprise's only, and the enterprise's is the portal.
    team = {"category": "land", "title": "用地", "description": "用地", "due_workdays": 5}
    with pytest.raises(ValidationError) as exc:
        services.raise_need(
            world.user_secretary,
            world.project1_a,
            raised_via=RaisedVia.ENTERPRISE,
            department=world.dept_land_a,
            **team,
        )
    assert set(exc.value.message_dict) == {"raised_via"}
    with pytest.raises(ValidationError):
        services.raise_need(
            world.user_enterprise, world.project1_a, department=world.dept_land_a, **team
        )
    need = _raise(world)
    for act in (
        lambda: services.start_need(world.user_enterprise, need),
        lambda: services.resolve_need(world.user_enterprise, need, "自己解决了"),
        lambda: services.close_need(world.user_enterprise, need, "不需要了"),
        lambda: services.update_need(world.user_enterprise, need, title="改"),
    ):
        with pytest.raises(PermissionDenied):
            act()


def test_the_answer_is_rated_once_against_the_department(world):
    need = _raise(world, department=world.dept_works_a)
    with pytest.raises(ValidationError) as exc:
        services.rate_need(world.user_enterprise, need, score="dissatisfied", reason="")
    assert set(exc.value.message_dict) == {"status", "reason"}  # both at once
    need = services.resolve_need(world.user_department, need, "已协调供电公司增容。")
    with pytest.raises(PermissionDenied):
        services.rate_need(world.user_bureau, need, score="satisfied")
    with pytest.raises(ValidationError) as exc:
        services.rate_need(world.user_enterprise, need, score="dissatisfied", reason=" ")
    assert set(exc.value.message_dict) == {"reason"}
    rating = services.rate_need(
        world.user_enterprise, need, score="dissatisfied", reason="增容时间太长。"
    )
    assert (rating.subject_kind, rating.subject_id) == ("need", need.pk)
    assert rating.department == world.dept_works_a and rating.enterprise == world.enterprise1_a
    assert rating.project == world.project1_a and rating.followup == "open"
    with pytest.raises(ValidationError):
        services.rate_need(world.user_enterprise, need, score="satisfied")
    assert Rating.objects.count() == 1


# ---------------------------------------------------------------------------------------
# The pages


def test_the_pages_raise_follow_and_rate_a_need(world, client_for):
    client = client_for("enterprise")
    assert client.get(reverse("portal:need_new")).status_code == 200
    refused = client.post(reverse("portal:need_new"), {"title": "缺类别"})
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert {"project", "category", "description"} <= set(errors)
    assert not Need.objects.exists()
    response = client.post(
        reverse("portal:need_new"),
        {
            "project": world.project1_a.pk,
            "category": "approval",
            "title": "施工许可加快办理",
            "description": "材料已齐，请协调加快。",
            "department": world.dept_works_a.pk,
            "attachments": [_pdf("材料清单.pdf")],
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:need", args=[need.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "施工许可加快办理" in page and "材料清单.pdf" in page and "rate-form" not in page
    download = client.get(
        reverse("portal:need_attachment", args=[need.pk, need.attachments.get().pk])
    )
    assert download.status_code == 200
    services.resolve_need(world.user_department, need, "已开辟绿色通道，明日出证。")
    page = client.get(reverse("portal:need", args=[need.pk])).content.decode()
    assert "已开辟绿色通道" in page and "rate-form" in page
    empty = client.post(reverse("portal:need_rate", args=[need.pk]), {})
    assert empty.status_code == 400 and not Rating.objects.exists()
    rated = client.post(reverse("portal:need_rate", args=[need.pk]), {"score": "satisfied"})
    assert rated.status_code == 302
    assert Rating.objects.get().score == "satisfied"
    listed = client.get(reverse("portal:needs")).content.decode()
    assert need.number in listed


def test_another_enterprises_need_is_not_there(world, client_for):
    theirs = services.raise_need(
        world.user_bureau,
        world.project2_a,
        category="land",
        title="用地",
        description="用地",
        department=world.dept_land_a,
        due_workdays=5,
    )
    services.resolve_need(world.user_bureau, theirs, "已解决")
    client = client_for("enterprise")
    assert client.get(reverse("portal:need", args=[theirs.pk])).status_code == 404
    rate = client.post(reverse("portal:need_rate", args=[theirs.pk]), {"score": "satisfied"})
    assert rate.status_code == 404
    assert client.get(f"/api/v1/portal/needs/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/portal/needs/").json()["results"] == []
    other_project = client.post(
        reverse("portal:need_new"),
        {"project": world.project2_a.pk, "category": "land", "title": "t", "description": "d"},
    )
    assert other_project.status_code == 400
    assert Need.objects.count() == 1 and not Rating.objects.exists()


# ---------------------------------------------------------------------------------------
# The API


def test_the_api_raises_and_rates(world, client_for):
    client = client_for("enterprise")
    refused = client.post("/api/v1/portal/needs/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert {"project", "category", "title", "description"} <= set(refused.json())
    created = client.post(
        "/api/v1/portal/needs/",
        {
            "project": world.project1_a.pk,
            "category": "financing",
            "title": "贷款贴息",
            "description": "申请技改贷款贴息。",
            "attachments": [_pdf("贷款合同.pdf")],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["department"] == world.dept_bureau_a.pk and body["status"] == "pending"
    assert [f["name"] for f in body["attachments"]] == ["贷款合同.pdf"]
    need = Need.objects.get(pk=body["id"])
    early = client.post(
        f"/api/v1/portal/needs/{need.pk}/rate/",
        {"score": "fairly"},
        content_type="application/json",
    )
    assert early.status_code == 400
    services.resolve_need(world.user_bureau, need, "已推荐至区财政局办理。")
    rated = client.post(
        f"/api/v1/portal/needs/{need.pk}/rate/",
        {"score": "fairly"},
        content_type="application/json",
    )
    assert rated.status_code == 200 and rated.json()["rated_score"] == "fairly"
    assert need.pk in [row["id"] for row in client.get("/api/v1/portal/needs/").json()["results"]]
    assert Need.objects.get(pk=need.pk).status == NeedStatus.RESOLVED


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_too_many_or_empty_files_are_said_with_the_other_problems(world, client_for, api):
    """The number of files and an empty one are the service's problems, said with the
    form's others (not alone, hiding them)."""
    client = client_for("enterprise")
    files = [_pdf(f"{i}.pdf") for i in range(services.MAX_NEED_FILES)]
    files.append(SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"))
    data = {"project": world.project1_a.pk, "category": "land", "title": "", "attachments": files}
    if api:
        response = client.post("/api/v1/portal/needs/", data)
        errors = response.json()
    else:
        response = client.post(reverse("portal:need_new"), data)
        errors = response.context["form"].errors
    assert response.status_code == 400
    assert {"title", "description", "attachments"} <= set(errors)
    said = " ".join(errors["attachments"])
    assert "6" in said and "空.pdf" in said
    assert not Need.objects.exists() and not NeedAttachment.objects.exists()


def test_the_api_offers_the_pages_departments_not_the_supervision_office(world, client_for):
    response = client_for("enterprise").post(
        "/api/v1/portal/needs/",
        {
            "project": world.project1_a.pk,
            "category": "land",
            "title": "用地",
            "description": "用地指标。",
            "department": world.dept_supervision_a.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "department" in response.json()
    assert not Need.objects.exists()


def test_without_a_bureau_the_department_is_asked_for_with_the_other_problems(world):
    """A need left to the government where the district has no investment bureau (no
    active bureau people): the department is asked for, with the form's other problems,
    and nothing is kept."""
    from zhaoshang.core.roles import Role
    from zhaoshang.org.models import User

    User.objects.filter(groups__name=Role.BUREAU, district=world.district_a).update(is_active=False)
    assert services.investment_bureau(world.district_a.pk) is None
    assert services.investment_bureau(world.district_b.pk) == world.dept_bureau_b
    with pytest.raises(ValidationError) as exc:
        _raise(world, title="")
    assert {"department", "title"} <= set(exc.value.message_dict)
    assert not Need.objects.exists()
