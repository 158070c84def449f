"""The pages end to end: the bureau records an agreement on the project's tab, a department
plans a commitment from a template, reports progress and files it to the park committee,
the department's lists show its own commitments and milestones with their lights, the
Gantt chart is drawn on the server; a stale form is refused with 409."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.models import Agreement, ArchiveVersion, Commitment, ScheduleTemplate
from zhaoshang.agreements.schedule import Step
from zhaoshang.agreements.tests.conftest import agreement_post, day, header, pdf, standard_terms


def test_the_bureau_records_the_agreement_on_the_project_tab(world, client_for):
    project = world.project1_a
    client = client_for("bureau")
    tab = client.get(reverse("agreements:project", args=[project.pk])).content.decode()
    assert 'data-testid="agreement-create"' in tab
    form = client.get(reverse("agreements:create", args=[project.pk])).content.decode()
    assert 'value="50000.00"' in form  # the contracted investment from the project
    data = {
        **agreement_post(project, [("2026-09-30", "5000"), ("2026-12-31", "20000")]),
        "schedule-TOTAL_FORMS": "3",  # a third row left blank
        "document": pdf("投资协议.pdf"),
    }
    response = client.post(reverse("agreements:create", args=[project.pk]), data)
    assert response.status_code == 302
    agreement = Agreement.objects.get(project=project)
    assert agreement.document.document.material_type.code == "investment_agreement"
    assert sorted(agreement.obligations.values_list("term", flat=True)) == sorted(
        ["start", "completion", "production", "intensity", "tax", "jobs", "energy"]
        + ["schedule", "schedule"]
    )
    tab = client.get(reverse("agreements:project", args=[project.pk])).content.decode()
    assert 'data-testid="enterprise-obligations"' in tab and "投资协议.pdf" in tab
    assert tab.count("data-obligation=") == 9
    # a second "create" goes to the tab
    response = client.get(reverse("agreements:create", args=[project.pk]))
    assert response.status_code == 302


def test_a_stale_agreement_form_is_refused_with_409(world, client_for, make_agreement):
    agreement = make_agreement()
    services.save_agreement(
        world.user_admin,
        world.project1_a,
        fields=header(world.project1_a, other_parties="担保方"),
        terms=standard_terms(),
        schedule=[(d, a) for d, a in services.term_values(agreement)["schedule"]],
        agreement=agreement,
    )
    project = world.project1_a
    data = {**agreement_post(project, [("2026-12-31", "20000")]), "version": "1"}
    response = client_for("bureau").post(reverse("agreements:edit", args=[agreement.pk]), data)
    assert response.status_code == 409
    agreement.refresh_from_db()
    assert agreement.other_parties == "担保方"


def test_a_department_plans_from_a_template_and_files(world, client_for, make_agreement):
    template = ScheduleTemplate.objects.create(district=world.district_a, name="施工许可")
    template.steps.create(seq=1, name="施工图审查", duration_workdays=10)
    template.steps.create(seq=2, name="施工许可核发", duration_workdays=5)
    client = client_for("department")
    url = reverse("agreements:commitment_create", args=[world.project1_a.pk])
    page = client.get(url, {"template": template.pk}).content.decode()
    assert 'value="施工图审查"' in page and 'data-testid="template-hint"' in page
    data = {
        "template": template.pk,
        "department": world.dept_works_a.pk,
        "title": "施工许可服务承诺",
        "content": "开工前核发施工许可证",
        "start_on": "2026-06-15",
        "target_on": "2026-08-31",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-name": "施工图审查",
        "steps-0-duration": "10",
        "steps-1-name": "施工许可核发",
        "steps-1-duration": "5",
        "steps-1-owner_department": world.dept_center_a.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.template == template
    assert [
        (m.name, m.due_on, m.owner_department_id) for m in commitment.milestones.order_by("seq")
    ] == [
        ("施工图审查", day("2026-08-24"), world.dept_works_a.pk),
        ("施工许可核发", day("2026-08-31"), world.dept_center_a.pk),
    ]
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert 'data-testid="gantt"' in page and 'data-testid="file-form"' in page
    response = client.post(
        reverse("agreements:commitment_file", args=[commitment.pk]),
        {"version": commitment.version, "note": "首次报送"},
    )
    assert response.status_code == 302
    version = ArchiveVersion.objects.get()
    assert version.filed_by == world.user_department and version.note == "首次报送"
    page = client.get(commitment.get_absolute_url()).content.decode()
    assert 'data-testid="file-form"' not in page and 'data-filing="filed"' in page


def test_progress_and_moving_a_milestone_on_the_commitment_page(world, client_for, make_commitment):
    commitment = make_commitment()
    first = commitment.milestones.order_by("seq").first()
    client = client_for("officer")  # a handler of 建设局
    response = client.post(
        reverse("agreements:milestone_progress", args=[first.pk]),
        {"version": first.version, "progress": "60", "note": "图审意见已回复"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.progress, first.note) == (60, "图审意见已回复")
    # moving it past the target date is refused and shown beside the field
    response = client.post(
        reverse("agreements:milestone_reschedule", args=[first.pk]),
        {"version": first.version, "due_on": "2026-08-05", "reason": "图审延期"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2026-08-05" in html and "2026-07-31" in html
    # a stale progress form is refused with 409
    response = client.post(
        reverse("agreements:milestone_progress", args=[first.pk]),
        {"version": 1, "progress": "80"},
    )
    assert response.status_code == 409
    first.refresh_from_db()
    assert first.progress == 60


def test_the_department_lists_show_its_own_with_lights(world, client_for, make_commitment):
    mine = make_commitment(
        start_on=day("2026-05-04"), target_on=day("2026-06-16"), steps=[Step("A", 3), Step("B", 2)]
    )
    theirs = make_commitment(department=world.dept_land_a, title="国土承诺")
    client = client_for("department")
    html = client.get(reverse("agreements:commitments")).content.decode()
    assert f'data-commitment="{mine.pk}"' in html and f'data-commitment="{theirs.pk}"' not in html
    assert 'data-light="red"' in html  # its first milestone is past due
    milestones = client.get(reverse("agreements:milestones")).content.decode()
    rows = re.findall(r'data-milestone="(\d+)"', milestones)
    assert {int(pk) for pk in rows} == set(mine.milestones.values_list("pk", flat=True))
    assert 'data-light="red"' in milestones and 'data-light="yellow"' in milestones
    red = client.get(reverse("agreements:milestones"), {"light": "red"}).content.decode()
    assert len(re.findall(r'data-milestone="\d+"', red)) == 1
    # the bureau sees the district's, and filters by department
    html = client_for("bureau").get(reverse("agreements:commitments")).content.decode()
    assert f'data-commitment="{theirs.pk}"' in html
    html = (
        client_for("bureau")
        .get(reverse("agreements:commitments"), {"department": world.dept_land_a.pk})
        .content.decode()
    )
    assert f'data-commitment="{mine.pk}"' not in html


def test_the_gantt_page_draws_one_bar_per_milestone(world, client_for, make_commitment):
    commitment = make_commitment(
        start_on=day("2026-09-01"),
        target_on=day("2026-10-12"),
        steps=[Step("A", 3), Step("B", 5), Step("C", 2)],
    )
    html = (
        client_for("park").get(reverse("agreements:gantt", args=[commitment.pk])).content.decode()
    )
    assert html.count('class="bar"') == 3
    assert '<rect class="off"' in html  # the National Day holidays are shaded
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_agreement_tab_shows_the_performance(world, client_for, make_agreement):
    make_agreement()
    html = (
        client_for("leader")
        .get(reverse("agreements:project", args=[world.project1_a.pk]))
        .content.decode()
    )
    # the schedule row of 2026-05-31 has no funds in place: missed
    assert 'data-status="missed"' in html and 'data-testid="performance"' in html
    assert "text-danger" in html.split('data-testid="performance"', 1)[1][:400]


@pytest.mark.parametrize("who", ["bureau", "secretary"])
def test_an_obligation_is_confirmed_on_its_page(world, client_for, make_agreement, who):
    ob = make_agreement().obligations.get(term="tax")
    client = client_for(who)
    response = client.post(
        reverse("agreements:obligation_confirm", args=[ob.pk]),
        {"version": ob.version, "met_on": "2026-06-01", "evidence": pdf("完税证明.pdf")},
    )
    assert response.status_code == 302
    html = client.get(reverse("agreements:obligation", args=[ob.pk])).content.decode()
    assert 'data-status="met"' in html and "完税证明.pdf" in html
    download = client.get(reverse("agreements:obligation_evidence", args=[ob.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_service_with_a_commitment_offers_no_confirmation(
    world, client_for, make_agreement, make_commitment
):
    from zhaoshang.agreements.choices import ObligationKind, Party

    agreement = make_agreement()
    ob = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_works_a,
        kind=ObligationKind.SERVICE,
        title="核发施工许可证",
        target_text="施工许可证核发到企业",
        due_on=day("2026-08-31"),
    )
    client = client_for("department")
    page = client.get(reverse("agreements:obligation", args=[ob.pk])).content.decode()
    assert 'data-action="confirm"' in page  # no commitment yet: confirmed by hand
    make_commitment(obligation=ob)
    page = client.get(reverse("agreements:obligation", args=[ob.pk])).content.decode()
    assert 'data-action="confirm"' not in page
    tab = client.get(reverse("agreements:project", args=[world.project1_a.pk])).content.decode()
    row = tab.split(f'data-obligation="{ob.pk}"')[1].split("</tr>")[0]
    assert 'data-evidence="commitment-running"' in row and "to-confirm" not in row
