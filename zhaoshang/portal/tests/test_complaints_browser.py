"""A complaint from the enterprise to its finding, in real headless Chromium, on a phone
(390×844) and on a desktop (1440×900): the contact lodges a complaint against 建设局 with
its evidence and without sharing its contact; the supervision office dispatches it, the
department states the facts and the office records its finding and answers (through the
services); the contact follows the deadlines, reads the finding and rates the answer."""

from __future__ import annotations

import pytest

from zhaoshang.portal.tests.test_needs_browser import DESKTOP, PHONE, evidence, log_in, shot
from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS

pytestmark = [pytest.mark.browser]


def _found(world, complaint):
    from zhaoshang.complaints import services

    complaint = services.dispatch_complaint(world.user_supervisor, complaint)
    complaint = services.accept_complaint(world.user_department, complaint)
    complaint = services.answer_complaint(
        world.user_department,
        complaint,
        department_view="unfounded",
        account="执法大队按程序处罚，不存在重复罚款。",
    )
    return services.verify_complaint(
        world.user_supervisor,
        complaint,
        outcome="partly",
        finding_reason="调取执法记录，同一事项 6 月 3 日、6 月 10 日两次处罚。",
        overrule_reason="执法记录显示同一违法事实处罚两次。",
        answer="经核查，投诉部分属实：同一事项被重复处罚，已责令区建设局撤销第二次处罚并退还罚款。",
    )


@pytest.mark.parametrize(("size", "viewport"), [("390", PHONE), ("1440", DESKTOP)])
def test_a_complaint_lodged_found_and_rated(
    live_site, browser_page, password, tmp_path, size, viewport
):
    from zhaoshang.complaints.models import Complaint
    from zhaoshang.ratings.models import Rating

    base, world = live_site
    page = browser_page
    page.set_viewport_size(viewport)
    ARTIFACTS.mkdir(exist_ok=True)

    log_in(page, base, "enterprise", password)
    page.goto(f"{base}/portal/complaints/")
    page.click("[data-testid=new-complaint]")
    form = page.locator("[data-testid=complaint-form]")
    form.wait_for()
    assert page.input_value("#id_contact_name") == world.user_enterprise.display_name
    page.select_option("#id_category", "fines")
    page.select_option("#id_department", str(world.dept_works_a.pk))
    page.select_option("#id_project", str(world.project1_a.pk))
    page.fill("#id_text", "6 月 3 日和 6 月 10 日，建设局执法大队就同一事项两次罚款。")
    page.fill("#id_contact_phone", "13800001234")
    page.set_input_files("#id_attachments", evidence(tmp_path, "两张罚款单.pdf"))
    shot(page, f"portal-complaint-form-{size}.png")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=complaint-status] [data-status=received]")
    complaint = Complaint.objects.get()
    assert complaint.channel == "portal" and not complaint.contact_consent
    assert complaint.contact_for(world.user_department)["phone"] == ""

    # The supervision office and the department do their part.
    complaint = _found(world, complaint)

    page.goto(f"{base}/portal/complaints/")
    rows = "complaint-cards" if size == "390" else "complaint-table"
    page.wait_for_selector(f"[data-testid={rows}] [data-complaint='{complaint.pk}']")
    shot(page, f"portal-complaints-{size}.png")
    page.goto(f"{base}/portal/complaints/{complaint.pk}/")
    assert page.locator("[data-testid=finding]").inner_text() == complaint.get_outcome_display()
    assert "撤销第二次处罚" in page.locator("[data-testid=answer]").inner_text()
    assert "不存在重复罚款" not in page.content()  # the department's account is internal
    assert complaint.answer_by.isoformat() in page.locator("[data-testid=answer-by]").inner_text()
    page.click("label[for=score-satisfied]")
    shot(page, f"portal-complaint-finding-{size}.png")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=complaint-status] [data-status=closed]")
    page.wait_for_selector("[data-testid=rated-score]")
    rating = Rating.objects.get()
    assert (rating.subject_kind, rating.score) == ("complaint", "satisfied")
    assert rating.department == world.dept_works_a
    shot(page, f"portal-complaint-rated-{size}.png")
