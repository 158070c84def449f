"""Every action of an enterprise contact is in the project's history under its name: the
staff project page's events read the project's own events and those of its records that
name it (``data.project``), and show a contact with its enterprise."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.core.audit import log_event
from zhaoshang.service.choices import NeedCategory
from zhaoshang.service.services.enterprise import raise_enterprise_need


def test_a_need_raised_in_the_portal_is_in_the_project_history_under_the_contact(client_for, world):
    contact = world.user_enterprise
    need = raise_enterprise_need(
        contact,
        world.project1_a,
        category=NeedCategory.LAND,
        title="厂区道路接入",
        description="请协调市政道路接入口。",
        department=world.dept_works_a,
    )
    response = client_for("bureau").get(reverse("projects:history", args=[world.project1_a.pk]))
    assert response.status_code == 200
    events = list(response.context["events"])
    raised = [e for e in events if e.verb == "need.raised"]
    assert raised and raised[0].actor == contact
    html = response.content.decode()
    assert need.number in html
    assert contact.display_name in html
    assert f"（{world.enterprise1_a.name}）" in html  # the contact's enterprise beside its name


def test_another_projects_events_stay_out(client_for, world):
    log_event(
        world.user_enterprise,
        "need.raised",
        world.project2_a,
        summary="别的项目",
        project=world.project2_a.pk,
    )
    response = client_for("bureau").get(reverse("projects:history", args=[world.project1_a.pk]))
    assert "别的项目" not in response.content.decode()


def test_the_history_page_reads_a_constant_number_of_queries(client_for, world):
    client = client_for("bureau")
    url = reverse("projects:history", args=[world.project1_a.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    log_event(
        world.user_enterprise, "x.done", world.project1_a, summary="1", project=world.project1_a.pk
    )
    client.get(url)
    before = count()
    for n in range(5):
        log_event(
            world.user_enterprise,
            "x.done",
            world.project1_a,
            summary=str(n),
            project=world.project1_a.pk,
        )
        log_event(
            world.user_bureau,
            "x.done",
            world.project1_a,
            summary=str(n),
            project=world.project1_a.pk,
        )
    assert count() == before


def test_events_of_the_projects_cases_and_complaints_are_in_its_history(client_for, world):
    """Records of the project whose events do not name it (a complaint, an approval case)
    are read through the record's project."""
    from zhaoshang.complaints.tests.factories import make_complaint

    complaint = make_complaint(world)  # about project1_a
    log_event(world.user_enterprise, "complaint.attachment_added", complaint, "现场照片.jpg")
    log_event(world.user_enterprise, "case.rated", world.case_a, "满意")
    log_event(world.user_enterprise, "case.rated", world.case_out_a, "另一项目的办件")
    response = client_for("bureau").get(reverse("projects:history", args=[world.project1_a.pk]))
    html = response.content.decode()
    assert "现场照片.jpg" in html and "满意" in html
    assert "另一项目的办件" not in html
    mine = [e for e in response.context["events"] if e.actor == world.user_enterprise]
    assert len(mine) == 2
