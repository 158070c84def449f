"""The searchable selects (issue 18.5) in real headless Chromium, on the supervision
office's 督办交办 form: pinyin initials filter the list, the keyboard chooses, the people
list shows the chosen department's people, choosing a person fills in an empty department,
and the saved item carries the person chosen; the same on a phone (390×844). The meeting
form's attendees are a filtered list of checkboxes with removable chips."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

VISIBLE_OPTIONS = """(id) => Array.from(document.querySelectorAll('#' + id + ' li[role=option]'))
  .map(li => li.textContent.trim())"""


def _people(world):
    """环保局 (区环境保护局) with two people, and one more person at 建设局."""
    from zhaoshang.org.models import Department, User

    district = world.district_a
    env = Department.objects.create(district=district, name="区环境保护局", short_name="环保局")
    li = User.objects.create(
        username="liming", district=district, department=env, real_name="李明", title="科长"
    )
    User.objects.create(
        username="hanbingjie", district=district, department=env, real_name="韩丙杰"
    )
    User.objects.create(
        username="liuli", district=district, department=world.dept_works_a, real_name="刘丽"
    )
    return env, li


def _options(page, select_id):
    list_id = page.get_attribute(f"#{select_id}-search", "aria-controls")
    return page.evaluate(VISIBLE_OPTIONS, list_id)


def test_choose_by_pinyin_with_the_keyboard(live_site, browser_page, password):
    from zhaoshang.meetings.models import ActionItem

    base, world = live_site
    env, li = _people(world)
    page = browser_page
    page.set_viewport_size(DESKTOP)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")

    department = page.locator("#id_owner_department-search")
    assert department.get_attribute("role") == "combobox"
    # The field's label names the text box (and focuses it).
    page.click("label[for='id_owner_department-search']")
    assert page.evaluate("document.activeElement.id") == "id_owner_department-search"
    department.type("hbj")
    assert _options(page, "id_owner_department") == ["环保局"]
    assert department.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    assert page.input_value("#id_owner_department") == str(env.pk)
    assert department.input_value() == "环保局"
    assert department.get_attribute("aria-expanded") == "false"

    # The people list: the empty choice and the people of 环保局, in pinyin order.
    person = page.locator("#id_owner_person-search")
    person.focus()
    page.keyboard.press("ArrowDown")
    shown = _options(page, "id_owner_person")
    assert [s.split("（")[0] for s in shown[1:]] == ["韩丙杰", "李明"], shown
    person.type("lm")
    assert [s.split("（")[0] for s in _options(page, "id_owner_person")] == ["李明"]
    screenshot(page, ARTIFACTS / "select-desktop.png", full_page=True)
    page.keyboard.press("Enter")
    assert page.input_value("#id_owner_person") == str(li.pk)
    # Esc leaves the chosen person as it was.
    person.focus()
    person.type("zzz")
    assert _options(page, "id_owner_person") == []
    page.keyboard.press("Escape")
    assert person.input_value().startswith("李明")

    # Another department: the person of 环保局 is cleared, 建设局's people are offered.
    department.fill("")
    department.type("jsj")
    page.keyboard.press("Enter")
    assert page.input_value("#id_owner_person") == ""
    assert person.input_value() == ""
    person.focus()
    page.keyboard.press("ArrowDown")
    names = [s.split("（")[0] for s in _options(page, "id_owner_person")]
    assert "刘丽" in names and "李明" not in names and "韩丙杰" not in names

    # Back to 环保局 through the person: no department chosen, all are offered, and
    # choosing 李明 (by full pinyin) fills in his department.
    page.keyboard.press("Escape")
    department.fill("")
    department.press("ArrowDown")
    page.keyboard.press("Home")
    page.keyboard.press("Enter")  # the empty choice
    assert page.input_value("#id_owner_department") == ""
    person.focus()
    person.type("liming")
    page.keyboard.press("Enter")
    assert page.input_value("#id_owner_person") == str(li.pk)
    assert page.input_value("#id_owner_department") == str(env.pk)

    page.fill("#id_title", "完成环评批复")
    page.fill("#id_due_workdays", "10")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_load_state()
    item = ActionItem.objects.get(title="完成环评批复")
    assert item.owner_person_id == li.pk
    assert item.owner_department_id == env.pk


def test_on_a_phone_and_the_attendees_list(live_site, browser_page, password):
    base, world = live_site
    env, li = _people(world)
    page = browser_page
    page.set_viewport_size(PHONE)
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")

    page.click("#id_owner_person-search")
    page.keyboard.type("hbj")
    names = [s.split("（")[0] for s in _options(page, "id_owner_person")]
    assert names == ["韩丙杰"]
    box = page.locator("#id_owner_person-search ~ ul[role=listbox]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, ARTIFACTS / "select-phone.png", full_page=False)
    page.click("#id_owner_person-search ~ ul[role=listbox] li[role=option]")
    assert page.input_value("#id_owner_department") == str(env.pk)

    # The meeting form: attendees are a filtered list of checkboxes, chosen ones as chips.
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}{reverse('meetings:create')}")
    attendees = page.locator("#id_attendees-search")
    assert attendees.get_attribute("aria-controls")
    attendees.type("lm")
    assert [s.split("（")[0] for s in _options(page, "id_attendees")] == ["李明"]
    page.keyboard.press("Enter")
    chips = page.locator("#id_attendees-search").locator("xpath=..").locator(".zs-chip")
    assert chips.count() == 1 and chips.first.inner_text().startswith("李明")
    assert page.evaluate(
        "Array.from(document.getElementById('id_attendees').selectedOptions).map(o => o.value)"
    ) == [str(li.pk)]
    page.locator("#id_attendees-search").scroll_into_view_if_needed()
    screenshot(page, ARTIFACTS / "select-multi-phone.png")
    chips.first.locator("button").click()
    assert chips.count() == 0
    assert page.evaluate("document.getElementById('id_attendees').selectedOptions.length") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_javascript_the_plain_selects_work(live_site, browser_page, password):
    from zhaoshang.meetings.models import ActionItem

    base, world = live_site
    env, li = _people(world)
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        _log_in(page, base, "supervisor", password)
        page.goto(f"{base}{reverse('meetings:action_item_create')}")
        assert page.locator(".zs-combo").count() == 0
        assert page.is_visible("#id_owner_person")
        page.select_option("#id_owner_department", str(env.pk))
        page.select_option("#id_owner_person", str(li.pk))
        page.fill("#id_title", "无脚本交办")
        page.fill("#id_due_workdays", "5")
        page.click("main form button.btn-primary[type=submit]")
        page.wait_for_load_state()
        item = ActionItem.objects.get(title="无脚本交办")
        assert (item.owner_department_id, item.owner_person_id) == (env.pk, li.pk)
    finally:
        context.close()
