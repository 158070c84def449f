"""The searchable selects (issue 18.5) with a Chinese input method, and the server's word
on a person not of the owner department, in real headless Chromium (the 督办交办 form).

The input method is Chromium's own (DevTools ``Input.imeSetComposition`` /
``Input.insertText``): while "huan'bao" is being composed the list is not filtered (it
would match nothing), the committed 环保 filters it; Enter with nothing matching does not
send the form. A person posted with another department (the narrowing in the browser is
no validation) comes back with the service's message under the field, and the text box
says it is invalid (aria-invalid)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zhaoshang.meetings.tests.test_select_browser import DESKTOP, _log_in, _options, _people

pytestmark = [pytest.mark.browser]


def test_an_input_method_composes_before_the_list_is_filtered(live_site, browser_page, password):
    base, world = live_site
    env, _li = _people(world)
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")
    page.evaluate("window.zsSamePage = true")

    box = page.locator("#id_owner_department-search")
    box.focus()
    page.keyboard.press("ArrowDown")
    everything = _options(page, "id_owner_department")
    assert "环保局" in everything and len(everything) > 3

    ime = page.context.new_cdp_session(page)
    ime.send(
        "Input.imeSetComposition", {"text": "huan'bao", "selectionStart": 8, "selectionEnd": 8}
    )
    assert box.input_value() == "huan'bao"
    assert _options(page, "id_owner_department") == everything  # not filtered meanwhile
    ime.send("Input.insertText", {"text": "环保"})
    assert box.input_value() == "环保"
    assert _options(page, "id_owner_department") == ["环保局"]
    assert page.input_value("#id_owner_department") == ""  # committing chose nothing
    page.keyboard.press("Enter")
    assert page.input_value("#id_owner_department") == str(env.pk)

    # Enter while nothing matches neither chooses nor sends the form.
    person = page.locator("#id_owner_person-search")
    person.focus()
    person.type("zzz")
    assert _options(page, "id_owner_person") == []
    page.keyboard.press("Enter")
    assert page.evaluate("window.zsSamePage === true")
    assert page.input_value("#id_owner_person") == ""


def test_a_person_of_another_department_is_refused_naming_the_field(
    live_site, browser_page, password
):
    from zhaoshang.meetings.models import ActionItem

    base, world = live_site
    env, li = _people(world)
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")
    # What a stale page or a hand-made request sends: 李明 (环保局) for 建设局.
    page.evaluate(
        """([dept, person]) => {
          const d = document.getElementById('id_owner_department');
          d.value = dept;
          const p = document.getElementById('id_owner_person');
          Array.from(p.options).forEach(o => { o.hidden = false; });
          p.value = person;
        }""",
        [str(world.dept_works_a.pk), str(li.pk)],
    )
    page.fill("#id_title", "跨部门交办")
    page.fill("#id_due_workdays", "5")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_load_state()
    assert not ActionItem.objects.filter(title="跨部门交办").exists()
    error = page.locator(".invalid-feedback[data-field=owner_person]")
    assert error.is_visible()
    assert "李明" in error.inner_text() and "区建设局" in error.inner_text()
    person = page.locator("#id_owner_person-search")
    assert person.get_attribute("aria-invalid") == "true"
    assert "is-invalid" in (person.get_attribute("class") or "")


LATER = """() => {
  const form = document.createElement('form');
  form.method = 'get';
  form.action = location.pathname;
  form.innerHTML = '<label for="id_later">Later</label>' +
    '<select id="id_later" name="later" data-zs-search data-autosubmit>' +
    '<option value="">-</option>' +
    '<option value="1" data-pinyin="hbj huanbaoju">环保局</option>' +
    '<option value="2" data-pinyin="jsj jianshju">建设局</option></select>';
  document.querySelector('main').appendChild(form);
}"""


def test_blur_restores_and_a_select_arriving_later_autosubmits(live_site, browser_page, password):
    base, world = live_site
    _people(world)
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")

    # Leaving the box with a query typed puts the chosen department back.
    box = page.locator("#id_owner_department-search")
    box.type("jsj")
    page.keyboard.press("Enter")
    box.type("zzz")
    page.keyboard.press("Tab")
    expect(box).to_have_value("建设局")  # after the blur's short delay
    assert page.input_value("#id_owner_department") == str(world.dept_works_a.pk)

    # A select added after the page loaded (an htmx swap, a formset's new row) is searchable,
    # once, its label names the box, and data-autosubmit still sends its form on a choice.
    page.evaluate(LATER)
    page.wait_for_selector("#id_later-search")
    assert page.locator("select#id_later").evaluate("s => s.parentNode.className") == "zs-combo"
    assert page.locator("#id_later-search").count() == 1
    assert page.get_attribute("label[for=id_later-search]", "id")
    page.click("label[for=id_later-search]")
    page.keyboard.type("jsj")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("?later=2")


FIXED_DEPARTMENT = """() => {
  const form = document.createElement('form');
  form.innerHTML =
    '<input type="hidden" name="fixed-dept" value="7">' +
    '<select id="id_fixed" name="fixed-person" data-zs-search data-depends-on="fixed-dept">' +
    '<option value="">-</option>' +
    '<option value="1" data-pinyin="lm liming" data-department="7">李明</option>' +
    '<option value="2" data-pinyin="ll liuli" data-department="8">刘丽</option></select>' +
    '<select id="id_locked_dept" name="locked-dept" disabled>' +
    '<option value="">-</option><option value="7">环保局</option><option value="8">建设局</option>' +
    '</select>' +
    '<select id="id_locked" name="locked-person" data-zs-search data-depends-on="locked-dept">' +
    '<option value="">-</option>' +
    '<option value="1" data-pinyin="lm liming" data-department="7">李明</option></select>';
  document.querySelector('main').appendChild(form);
}"""


def test_a_hidden_department_narrows_and_a_disabled_one_is_not_filled_in(
    live_site, browser_page, password
):
    base, _world = live_site
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _log_in(page, base, "supervisor", password)
    page.goto(f"{base}{reverse('meetings:action_item_create')}")
    page.evaluate(FIXED_DEPARTMENT)
    page.wait_for_selector("#id_locked-search")
    page.focus("#id_fixed-search")
    page.keyboard.press("ArrowDown")
    assert _options(page, "id_fixed") == ["-", "李明"]  # 刘丽 is of another department
    page.focus("#id_locked-search")
    page.keyboard.type("lm")
    page.keyboard.press("Enter")
    assert page.input_value("#id_locked") == "1"
    assert page.input_value("#id_locked_dept") == ""  # disabled: left as it is
