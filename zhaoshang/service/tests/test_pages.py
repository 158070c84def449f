"""The service pages end to end: what each shows and what each form does."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from zhaoshang.meetings.models import ActionItem
from zhaoshang.service import services
from zhaoshang.service.choices import NeedStatus, ReceiptResult, SecondRoundKind
from zhaoshang.service.models import Instruction, Need, Receipt, SecondRoundService
from zhaoshang.service.tests.conftest import day


def _receipt_post(world, **overrides):
    data = {
        "visited_on": "2026-06-12",
        "department": world.dept_works_a.pk,
        "handler_name": "王建国",
        "matter": "施工许可证办理咨询",
        "work_done": "提交施工图审查合格书",
        "result": ReceiptResult.IN_PROGRESS,
        "problems": "",
    }
    data.update(overrides)
    return data


def test_the_secretary_files_a_receipt_from_the_page(world, client_for):
    client = client_for("secretary")
    url = reverse("service:receipt_create", args=[world.project1_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert world.user_manager.display_name in page.content.decode()
    response = client.post(url, _receipt_post(world))
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service:receipt", args=[receipt.pk])


def test_a_bad_receipt_shows_the_message_by_its_field(world, client_for):
    client = client_for("secretary")
    url = reverse("service:receipt_create", args=[world.project1_a.pk])
    response = client.post(url, _receipt_post(world, result=ReceiptResult.NEEDS_COORDINATION))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="problems"' in html and "needs coordination" in html
    assert not Receipt.objects.exists()


def test_someone_outside_the_team_is_told_why(world, client_for):
    client = client_for("outsider")
    url = reverse("service:receipt_create", args=[world.project1_a.pk])
    for response in (client.get(url), client.post(url, _receipt_post(world))):
        assert response.status_code == 403
        html = response.content.decode()
        assert 'data-testid="refused"' in html and "not on that team" in html
    assert not Receipt.objects.exists()


def test_opening_the_receipt_marks_it_read_for_the_addressee_only(world, client_for, file_receipt):
    receipt = file_receipt()
    url = reverse("service:receipt", args=[receipt.pk])
    assert client_for("leader").get(url).status_code == 200
    receipt.refresh_from_db()
    assert receipt.read_at is None
    html = client_for("manager").get(url).content.decode()
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    assert 'data-testid="instruction-form"' in html and "read " in html


def test_the_leader_writes_an_instruction_on_the_page(world, client_for, file_receipt):
    receipt = file_receipt()
    client = client_for("manager")
    url = reverse("service:instruction_create", args=[receipt.pk])
    management = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
    }
    bad = client.post(url, {**management, "text": "请建设局牵头办理", "written_on": "2026-06-15"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'data-field="owner_department"' in html
    assert not Instruction.objects.exists()
    good = client.post(
        url,
        {
            **management,
            "text": "请建设局牵头办理",
            "written_on": "2026-06-15",
            "items-0-owner_department": world.dept_works_a.pk,
            "items-0-due_workdays": "3",
            "items-1-title": "国土局核实用地红线",
            "items-1-owner_department": world.dept_land_a.pk,
            "items-1-due_on": "2026-06-30",
        },
    )
    assert good.status_code == 302
    instruction = Instruction.objects.get()
    assert ActionItem.objects.filter(instruction=instruction).count() == 2
    detail = client.get(reverse("service:receipt", args=[receipt.pk])).content.decode()
    assert "请建设局牵头办理" in detail and "国土局核实用地红线" in detail


def test_the_inbox_lists_unread_first_and_filters(world, client_for, file_receipt):
    old = file_receipt(visited_on=day("2026-06-01"), matter="用地预审")
    new = file_receipt(visited_on=day("2026-06-12"), matter="施工许可")
    services.mark_receipt_read(world.user_manager, new)
    client = client_for("manager")
    html = client.get(reverse("service:inbox")).content.decode()
    assert html.index(old.number) < html.index(new.number)
    assert 'data-testid="unread-total">1 unread' in html
    week = client.get(reverse("service:inbox"), {"week": "2026-06-10"}).content.decode()
    assert new.number in week and old.number not in week
    unread = client.get(reverse("service:inbox"), {"unread": "on"}).content.decode()
    assert old.number in unread and new.number not in unread
    other = client_for("leader").get(reverse("service:inbox")).content.decode()
    assert old.number not in other


def test_the_summary_counts_per_week_and_per_leader(world, client_for, file_receipt, raise_need):
    file_receipt(visited_on=day("2026-06-08"), result=ReceiptResult.DONE)
    file_receipt(
        visited_on=day("2026-06-10"),
        result=ReceiptResult.NEEDS_COORDINATION,
        problems="用电",
        department=world.dept_land_a,
    )
    file_receipt(visited_on=day("2026-06-01"))
    raise_need()
    client = client_for("bureau")
    response = client.get(reverse("service:summary"), {"period": "week", "by": "project"})
    rows = response.context["rows"]
    # weeks start on Monday; the two receipts of the week of 8 June went to two departments
    assert [(r.period, r.receipts, r.done, r.coordination, r.departments) for r in rows] == [
        (day("2026-06-08"), 2, 1, 1, 2),
        (day("2026-06-01"), 1, 0, 0, 1),
    ]
    assert response.context["totals"]["receipts"] == 3
    assert response.context["totals"]["needs_raised"] == 1
    by_leader = client.get(reverse("service:summary"), {"period": "month", "by": "leader"})
    (row,) = by_leader.context["rows"]
    assert row.key == world.user_manager.pk and row.receipts == 3 and row.problems_noted == 1
    assert row.needs_raised == 1 and row.needs_open == 1  # the project's designated leader


def test_the_needs_list_filters_and_exports(world, client_for, raise_need):
    overdue = raise_need(raised_on=day("2026-06-01"), due_workdays=2, title="逾期问题")
    other = raise_need(department=world.dept_land_a, title="国土问题")
    client = client_for("bureau")
    html = client.get(reverse("service:needs"), {"light": "red"}).content.decode()
    assert overdue.number in html and other.number not in html
    mine = client_for("department").get(reverse("service:department_needs")).content.decode()
    assert overdue.number in mine and other.number not in mine
    response = client.get(reverse("service:needs_export"), {"status": "open"})
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {overdue.number, other.number}


def test_need_actions_from_the_page(world, client_for, raise_need):
    need = raise_need()
    client = client_for("department")
    url = reverse("service:need_start", args=[need.pk])
    assert client.post(url, {"version": need.version}).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.IN_PROGRESS
    stale = client.post(
        reverse("service:need_escalate", args=[need.pk]),
        {"version": 1, "escalation_note": "需会议"},
    )
    assert stale.status_code == 409
    page = client.get(reverse("service:need", args=[need.pk])).content.decode()
    assert 'data-action="resolve"' in page and 'data-action="close"' not in page
    done = client.post(
        reverse("service:need_resolve", args=[need.pk]),
        {"version": need.version, "resolution": "已接入", "resolved_on": "2026-06-15"},
    )
    assert done.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.RESOLVED


def test_raising_a_need_from_a_receipt(world, client_for, file_receipt):
    receipt = file_receipt(result=ReceiptResult.NEEDS_COORDINATION, problems="临时用电未接入")
    client = client_for("secretary")
    url = reverse("service:need_create", args=[world.project1_a.pk])
    form = client.get(url, {"receipt": receipt.pk})
    assert form.context["form"].initial["description"] == "临时用电未接入"
    response = client.post(
        url,
        {
            "category": "utilities",
            "title": "临时用电",
            "description": "临时用电未接入",
            "department": world.dept_works_a.pk,
            "due_workdays": 5,
            "receipt": receipt.pk,
        },
    )
    assert response.status_code == 302
    assert Need.objects.get().receipt == receipt


def test_second_round_pages(world, client_for):
    client = client_for("secretary")
    url = reverse("service:second_round_create", args=[world.project1_a.pk])
    response = client.post(
        url,
        {
            "kind": SecondRoundKind.FINANCING,
            "occurred_on": "2026-06-10",
            "counterparty": "区农商银行",
            "amount": "",
            "description": "项目贷款对接",
        },
    )
    assert response.status_code == 400 and 'data-field="amount"' in response.content.decode()
    response = client.post(
        url,
        {
            "kind": SecondRoundKind.FINANCING,
            "occurred_on": "2026-06-10",
            "counterparty": "区农商银行",
            "amount": "5000",
            "description": "项目贷款对接",
        },
    )
    assert response.status_code == 302
    bureau = client_for("bureau")
    response = bureau.post(
        reverse("service:enterprise_second_round_create", args=[world.enterprise2_a.pk]),
        {
            "kind": SecondRoundKind.UPGRADE,
            "occurred_on": "2026-06-11",
            "counterparty": "蜀味食品",
            "description": "技改升级",
        },
    )
    assert response.status_code == 302
    html = bureau.get(reverse("service:second_round")).content.decode()
    assert "区农商银行" in html and "技改升级" in html
    assert SecondRoundService.objects.count() == 2


@pytest.mark.parametrize(("who", "route"), [("manager", "designated"), ("department", "paired")])
def test_designated_and_paired_views(world, client_for, raise_need, who, route):
    raise_need(raised_on=day("2026-06-01"), due_workdays=2)
    response = client_for(who).get(reverse(f"service:{route}"))
    (project,) = list(response.context["page"])
    assert project == world.project1_a
    assert project.open_needs == 1 and project.overdue_needs == 1 and project.light == "red"
    empty = client_for("leader").get(reverse(f"service:{route}"))
    assert not list(empty.context["page"])


def test_the_project_tab_shows_everything(world, client_for, file_receipt, raise_need):
    receipt = file_receipt()
    services.write_instruction(
        world.user_manager,
        receipt,
        text="尽快办理",
        items=[{"owner_department": world.dept_works_a, "due_workdays": 3}],
    )
    raise_need()
    html = client_for("park").get(reverse("service:project", args=[world.project1_a.pk]))
    text = html.content.decode()
    assert receipt.number in text and "尽快办理" in text and "WT-2026-0001" in text
    assert 'data-testid="new-receipt"' not in text
    assert (
        'data-testid="new-receipt"'
        in client_for("officer")
        .get(reverse("service:project", args=[world.project1_a.pk]))
        .content.decode()
    )


def test_the_filer_corrects_a_receipt_on_the_page(world, client_for, file_receipt):
    receipt = file_receipt()
    client = client_for("secretary")
    url = reverse("service:receipt_correct", args=[receipt.pk])
    form = client.get(url)
    assert form.context["form"].initial["matter"] == receipt.matter
    data = _receipt_post(world, result=ReceiptResult.DONE, correction_reason="结果填错")
    stale = client.post(url, {**data, "version": receipt.version + 1})
    assert stale.status_code == 409
    done = client.post(url, {**data, "version": receipt.version})
    assert done.status_code == 302
    receipt.refresh_from_db()
    assert receipt.result == ReceiptResult.DONE and receipt.correction_reason == "结果填错"
    html = client.get(reverse("service:receipt", args=[receipt.pk])).content.decode()
    assert "结果填错" in html and 'data-testid="history"' in html
