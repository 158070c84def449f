"""The staff lists on a phone, in real headless Chromium (issue #18): below 576 px a list
table reads as stacked cards — a card per row, a "label value" line per cell, the labels
taken from the table's header by app.js — so a project's name is never squeezed to a
character per line; held sideways (667 px) it stays a table whose cells keep room for a
name, scrolling instead; at 1440 px it is an ordinary table. Rows swapped in by htmx (or
added by a page's script) are labelled too, and a table marked ``zs-table-scroll`` keeps
its grid and scrolls. Screenshots go to the test artifacts (phone-table-*.png)."""

from __future__ import annotations

import pytest

from zhaoshang.projects.tests.test_browser_journey import ARTIFACTS
from zhaoshang.testing.browser import log_in as _log_in
from zhaoshang.testing.browser import screenshot

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
SIDEWAYS = {"width": 667, "height": 375}
DESKTOP = {"width": 1440, "height": 900}
# (user, page, table's test id, the header of the column holding a name)
LISTS = [
    ("bureau", "/projects/", "project-table", "名称"),
    ("bureau", "/approvals/", "worklist", "项目"),
    ("supervisor", "/complaints/", "complaints", "企业"),
]

# The rendered geometry of a table's first row, and of its name cell.
MEASURE = """([testid, label]) => {
  const table = document.querySelector(`[data-testid=${testid}]`);
  const row = table.tBodies[0].rows[0];
  const cells = Array.from(row.cells);
  const name = cells.find((c) => c.dataset.label === label);
  const font = parseFloat(getComputedStyle(name).fontSize);
  const rect = (el) => el.getBoundingClientRect();
  return {
    stacked: table.classList.contains("zs-stack"),
    tableDisplay: getComputedStyle(table).display,
    cellDisplay: getComputedStyle(name).display,
    before: getComputedStyle(name, "::before").content,
    headVisible: Array.from(table.tHead.rows[0].cells).some((th) => th.offsetWidth > 0),
    nameWidthChars: rect(name).width / font,
    nameLines: Math.round(rect(name.querySelector("a") || name).height / (font * 1.5)),
    tops: cells.filter((c) => c.offsetWidth > 0).map((c) => Math.round(rect(c).top)),
    labels: cells.map((c) => c.dataset.label),
    headers: Array.from(table.tHead.rows[0].cells).map((th) => th.textContent.trim()),
  };
}"""


@pytest.fixture
def lists_with_rows(live_site):
    """The world, with a complaint on the desk (the projects and cases are the world's)."""
    from zhaoshang.complaints.tests.factories import make_complaint

    base, world = live_site
    make_complaint(world)
    return base, world


@pytest.mark.parametrize(("user", "path", "testid", "label"), LISTS)
def test_a_list_is_cards_on_a_phone_and_a_table_on_a_desktop(
    lists_with_rows, browser_page, password, user, path, testid, label
):
    base, _world = lists_with_rows
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    _log_in(page, base, user, password)
    name = testid.replace("-table", "")

    page.set_viewport_size(PHONE)
    page.goto(f"{base}{path}")
    phone = page.evaluate(MEASURE, [testid, label])
    screenshot(page.locator(f"[data-testid={testid}]"), ARTIFACTS / f"phone-table-{name}-390.png")
    # Each cell carries its column's header (a row of a colspan note carries none).
    assert phone["stacked"]
    assert [x for x in phone["labels"] if x] == [h for h in phone["headers"] if h]
    assert phone["tableDisplay"] == "block"
    assert phone["before"] == f'"{label}"'
    # The name has room: most of the card's width, a line or two, not a character a line.
    assert phone["nameWidthChars"] >= 8, phone
    assert phone["nameLines"] <= 3, phone
    # A card: its lines are stacked, one below the other.
    assert phone["tops"] == sorted(phone["tops"]) and len(set(phone["tops"])) == len(phone["tops"])

    # A phone held sideways: still a table, scrolling rather than squeezing the name.
    page.set_viewport_size(SIDEWAYS)
    page.goto(f"{base}{path}")
    sideways = page.evaluate(MEASURE, [testid, label])
    assert sideways["tableDisplay"] == "table"
    assert len(set(sideways["tops"])) == 1, sideways
    assert sideways["nameWidthChars"] >= 6, sideways

    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}{path}")
    desktop = page.evaluate(MEASURE, [testid, label])
    screenshot(page.locator(f"[data-testid={testid}]"), ARTIFACTS / f"phone-table-{name}-1440.png")
    assert desktop["tableDisplay"] == "table"
    assert desktop["cellDisplay"] == "table-cell"
    assert desktop["headVisible"]
    assert desktop["before"] in ("none", "normal")
    # A row: every cell starts on the same line.
    assert len(set(desktop["tops"])) == 1, desktop


SWAP = """() => {
  const body = document.querySelector("[data-testid=project-table] tbody");
  htmx.swap(body, "<tr data-swapped><td>X</td><td><a href='#'>新换入的项目名称很长很长</a></td></tr>",
            {swapStyle: "beforeend"});
  // A row added by a page's own script (a formset's "add a row"), not by htmx.
  body.insertAdjacentHTML("beforeend", "<tr data-added><td>Y</td><td>另一个项目</td></tr>");
  htmx.swap(document.querySelector("main"),
            "<div class='table-responsive' data-testid=matrix-wrap><table class='table zs-table-scroll'"
            + " data-testid=matrix><thead><tr><th>部门</th><th>一月</th><th>二月</th><th>三月</th>"
            + "<th>四月</th><th>五月</th><th>六月</th></tr></thead><tbody><tr><td>区住房和城乡建设局</td>"
            + "<td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td></tr></tbody></table></div>",
            {swapStyle: "beforeend"});
}"""


def test_rows_added_later_are_labelled_and_an_opted_out_table_scrolls(
    live_site, browser_page, password
):
    base, _world = live_site
    page = browser_page
    page.set_viewport_size(PHONE)
    _log_in(page, base, "bureau", password)
    page.goto(f"{base}/projects/")
    page.evaluate(SWAP)
    swapped = page.locator("[data-testid=project-table] tr[data-swapped] td")
    page.wait_for_function("document.querySelector('tr[data-swapped] td[data-label]') !== null")
    assert swapped.nth(0).get_attribute("data-label") == "编号"
    assert swapped.nth(1).get_attribute("data-label") == "名称"
    assert swapped.nth(1).evaluate("(td) => td.getBoundingClientRect().width") > 200
    page.wait_for_function("document.querySelector('tr[data-added] td[data-label]') !== null")
    added = page.locator("[data-testid=project-table] tr[data-added] td")
    assert added.nth(1).get_attribute("data-label") == "名称"

    matrix = page.locator("[data-testid=matrix]")
    assert "zs-stack" not in matrix.get_attribute("class")
    assert matrix.evaluate("(t) => getComputedStyle(t).display") == "table"
    first = matrix.locator("td").first
    assert first.get_attribute("data-label") is None
    # The department's name stays on one line; the matrix scrolls sideways in its wrapper.
    height = first.evaluate("(td) => td.getBoundingClientRect().height")
    font = first.evaluate("(td) => parseFloat(getComputedStyle(td).fontSize)")
    assert height < 3 * font
    wrap = page.locator("[data-testid=matrix-wrap]")
    assert wrap.evaluate("(w) => w.scrollWidth > w.clientWidth")
    screenshot(page, ARTIFACTS / "phone-table-swapped-390.png", full_page=True)
