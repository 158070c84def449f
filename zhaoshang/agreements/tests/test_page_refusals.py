"""The agreement, obligation and commitment forms (the multi-row ones with their schedule
or steps) answer through the shared page machinery: 400 with the form's and the rows'
errors at once, each by its field, the input kept; 409 for a stale version; nothing
written either way."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.agreements import services
from zhaoshang.agreements.choices import ObligationKind, Party
from zhaoshang.agreements.models import Agreement, Commitment, Milestone, Obligation
from zhaoshang.agreements.tests.conftest import agreement_post, day, header, standard_terms

STALE = "Someone else changed this record"


def _named(html: str, *fields: str) -> None:
    for field in fields:
        assert f'data-field="{field}"' in html, field


def test_the_agreement_form_shows_the_header_and_schedule_errors_at_once(world, client_for):
    project = world.project1_a
    data = {
        "number": "",
        "government_party": "",
        "enterprise_party": "投资方",
        "contracted_investment": "many",
        "schedule-TOTAL_FORMS": "2",
        "schedule-INITIAL_FORMS": "0",
        "schedule-0-due_on": "2026-09-30",
        "schedule-1-amount": "20000",
    }
    response = client_for("bureau").post(
        reverse("agreements:create", args=[project.pk]), data, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert {"number", "government_party", "contracted_investment"} <= set(
        response.context["form"].errors
    )
    rows = response.context["formset"].forms
    assert "amount" in rows[0].errors and "due_on" in rows[1].errors
    html = response.content.decode()
    _named(html, "number", "government_party", "contracted_investment", "amount", "due_on")
    assert "该字段是必填项。" in html
    assert 'value="投资方"' in html and 'value="20000"' in html  # the input is kept
    assert not Agreement.objects.exists()


def test_a_stale_agreement_form_keeps_the_input(world, client_for, make_agreement):
    agreement = make_agreement()
    services.save_agreement(
        world.user_admin,
        world.project1_a,
        fields=header(world.project1_a, other_parties="担保方"),
        terms=standard_terms(),
        schedule=list(services.term_values(agreement)["schedule"]),
        agreement=agreement,
    )
    project = world.project1_a
    data = {
        **agreement_post(project, [("2026-12-31", "20000")], enterprise_party="旧的乙方"),
        "version": "1",
    }
    response = client_for("bureau").post(
        reverse("agreements:edit", args=[agreement.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html and 'value="旧的乙方"' in html
    agreement.refresh_from_db()
    assert agreement.other_parties == "担保方" and agreement.enterprise_party != "旧的乙方"


def test_a_bad_obligation_is_400_with_every_field(world, client_for, make_agreement):
    agreement = make_agreement()
    count = Obligation.objects.count()
    response = client_for("bureau").post(
        reverse("agreements:obligation_create", args=[agreement.pk]),
        {"party": "nobody", "kind": "", "due_on": "later", "target_amount": "x"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"party", "title", "kind", "due_on", "target_amount"} <= set(errors)
    _named(response.content.decode(), "party", "title", "kind", "due_on", "target_amount")
    assert Obligation.objects.count() == count


def test_a_stale_obligation_edit_is_409_and_changes_nothing(world, client_for, make_agreement):
    agreement = make_agreement()
    obligation = services.add_obligation(
        world.user_bureau,
        agreement,
        party=Party.DEPARTMENT,
        department=world.dept_works_a,
        title="完成施工许可核发",
        kind=ObligationKind.SERVICE,
        target_text="核发施工许可证",
        due_on=day("2026-09-30"),
    )
    services.update_obligation(world.user_bureau, obligation, 1, title="施工许可核发")
    response = client_for("bureau").post(
        reverse("agreements:obligation_edit", args=[obligation.pk]),
        {
            "version": 1,
            "party": Party.DEPARTMENT,
            "department": world.dept_works_a.pk,
            "title": "改成别的",
            "kind": ObligationKind.SERVICE,
            "target_text": "核发施工许可证",
            "due_on": "2026-10-30",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html and 'value="改成别的"' in html
    obligation.refresh_from_db()
    assert obligation.title == "施工许可核发" and obligation.version == 2


def _commitment_data(world, **overrides):
    data = {
        "department": world.dept_works_a.pk,
        "title": "施工许可",
        "content": "核发施工许可证",
        "start_on": "2026-06-15",
        "target_on": "2026-09-30",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-name": "图审",
        "steps-0-duration": "10",
    }
    data.update(overrides)
    return data


def test_a_new_commitment_shows_the_form_and_step_errors_at_once(world, client_for):
    url = reverse("agreements:commitment_create", args=[world.project1_a.pk])
    data = _commitment_data(
        world, title="", target_on="soon", **{"steps-0-duration": "", "steps-1-duration": "3"}
    )
    response = client_for("department").post(url, data)
    assert response.status_code == 400
    assert {"title", "target_on"} <= set(response.context["form"].errors)
    rows = response.context["formset"].forms
    assert "duration" in rows[0].errors and "name" in rows[1].errors
    html = response.content.decode()
    _named(html, "title", "target_on", "duration", "name")
    assert 'value="图审"' in html and "核发施工许可证" in html
    assert not Commitment.objects.exists() and not Milestone.objects.exists()


def _edit_data(commitment, **overrides):
    milestones = list(commitment.milestones.order_by("seq", "id"))
    data = {
        "version": commitment.version,
        "title": commitment.title,
        "content": commitment.content,
        "start_on": commitment.start_on.isoformat(),
        "target_on": commitment.target_on.isoformat(),
        "steps-TOTAL_FORMS": str(len(milestones)),
        "steps-INITIAL_FORMS": str(len(milestones)),
    }
    for index, m in enumerate(milestones):
        data[f"steps-{index}-milestone"] = m.pk
        data[f"steps-{index}-name"] = m.name
        data[f"steps-{index}-duration"] = m.duration_workdays
    data.update(overrides)
    return data


def test_a_stale_replan_is_409_and_changes_nothing(world, client_for, make_commitment):
    commitment = make_commitment()
    client = client_for("department")
    url = reverse("agreements:commitment_edit", args=[commitment.pk])
    first = client.post(url, _edit_data(commitment, title="第一次改"))
    assert first.status_code == 302
    # the old version again
    stale = client.post(url, _edit_data(commitment, title="第二次改"), HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409
    html = stale.content.decode()
    assert STALE in html and 'value="第二次改"' in html
    commitment.refresh_from_db()
    assert commitment.title == "第一次改" and commitment.version == 2


def test_a_bad_replan_is_400_with_every_error_and_changes_nothing(
    world, client_for, make_commitment
):
    commitment = make_commitment()
    due = list(commitment.milestones.order_by("seq").values_list("due_on", flat=True))
    response = client_for("department").post(
        reverse("agreements:commitment_edit", args=[commitment.pk]),
        _edit_data(commitment, title="", **{"steps-1-duration": "0"}),
    )
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert "duration" in response.context["formset"].forms[1].errors
    _named(response.content.decode(), "title", "duration")
    commitment.refresh_from_db()
    assert commitment.version == 1
    assert list(commitment.milestones.order_by("seq").values_list("due_on", flat=True)) == due
