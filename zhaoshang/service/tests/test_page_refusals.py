"""The receipt pages answer through the shared page machinery: filing, correcting and the
leader's instruction with its action-item rows refuse with 400 and every field's error at
once (the rows' as well as the form's), a stale correction is 409, and nothing is written."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.service.choices import ReceiptResult
from zhaoshang.service.models import Instruction, Receipt

MANAGEMENT = {
    "items-TOTAL_FORMS": "3",
    "items-INITIAL_FORMS": "0",
    "items-MIN_NUM_FORMS": "0",
    "items-MAX_NUM_FORMS": "10",
}


def _named(html: str, *fields: str) -> None:
    for field in fields:
        assert f'data-field="{field}"' in html, field


def test_an_empty_receipt_is_400_with_every_field_named_in_chinese(world, client_for):
    url = reverse("service:receipt_create", args=[world.project1_a.pk])
    response = client_for("secretary").post(
        url, {"visited_on": "someday"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert {"visited_on", "department", "matter", "work_done", "result"} <= set(
        response.context["form"].errors
    )
    html = response.content.decode()
    _named(html, "visited_on", "department", "matter", "work_done", "result")
    assert "该字段是必填项。" in html and "输入一个有效的日期。" in html
    assert not Receipt.objects.exists()


def test_a_bad_correction_is_400_with_every_field_and_changes_nothing(
    world, client_for, file_receipt
):
    receipt = file_receipt()
    url = reverse("service:receipt_correct", args=[receipt.pk])
    response = client_for("secretary").post(
        url, {"version": receipt.version, "matter": "", "result": "nonsense"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"correction_reason", "matter", "result", "department", "work_done"} <= set(errors)
    _named(response.content.decode(), "correction_reason", "matter", "result")
    fresh = Receipt.objects.get(pk=receipt.pk)
    assert fresh.version == receipt.version and fresh.matter == receipt.matter


def test_a_stale_correction_is_409_keeps_the_input_and_changes_nothing(
    world, client_for, file_receipt
):
    receipt = file_receipt()
    url = reverse("service:receipt_correct", args=[receipt.pk])
    data = {
        "visited_on": "2026-06-12",
        "department": world.dept_works_a.pk,
        "matter": "改过的事项",
        "work_done": "提交施工图审查合格书",
        "result": ReceiptResult.DONE,
        "correction_reason": "结果填错",
        "version": receipt.version + 1,
    }
    response = client_for("secretary").post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html and 'value="改过的事项"' in html
    fresh = Receipt.objects.get(pk=receipt.pk)
    assert fresh.version == receipt.version and fresh.result == receipt.result


def test_an_instruction_shows_the_form_and_the_rows_errors_at_once(world, client_for, file_receipt):
    receipt = file_receipt()
    url = reverse("service:instruction_create", args=[receipt.pk])
    response = client_for("manager").post(
        url,
        {
            **MANAGEMENT,
            "text": "",
            "written_on": "2026-06-15",
            "items-1-title": "国土局核实用地红线",
            "items-1-due_on": "not a date",
            "items-2-due_workdays": "0",
        },
    )
    assert response.status_code == 400
    assert "text" in response.context["instruction_form"].errors
    rows = response.context["item_forms"].forms
    assert "due_on" in rows[1].errors and "due_workdays" in rows[2].errors
    html = response.content.decode()
    _named(html, "text", "due_on", "due_workdays")
    assert 'value="国土局核实用地红线"' in html  # the rows keep what was typed
    assert not Instruction.objects.exists()


def test_a_refused_action_item_is_named_on_its_own_row(world, client_for, file_receipt):
    receipt = file_receipt()
    url = reverse("service:instruction_create", args=[receipt.pk])
    response = client_for("manager").post(
        url,
        {
            **MANAGEMENT,
            "text": "请建设局牵头办理",
            "written_on": "2026-06-15",
            "items-0-owner_department": world.dept_works_a.pk,
            "items-0-due_workdays": "3",
            "items-1-title": "国土局核实用地红线",
            "items-1-due_on": "2026-06-30",
        },
    )
    assert response.status_code == 400
    rows = response.context["item_forms"].forms
    assert not rows[0].errors
    assert "owner_department" in rows[1].errors
    assert not response.context["instruction_form"].errors
    assert not Instruction.objects.exists()
