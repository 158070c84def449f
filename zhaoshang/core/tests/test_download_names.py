"""Downloads are named in the reader's language (Chinese), with an ASCII fallback:
``Content-Disposition: attachment; filename="projects-20260615.xlsx";
filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-20260615.xlsx`` (RFC 6266/5987)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from zhaoshang.core.exports import download_disposition, xlsx_file_response

STAMP = "20260615"  # FROZEN_NOW


def names(header: str) -> tuple[str, str | None]:
    """(the ASCII ``filename``, the decoded ``filename*`` or None) of a Content-Disposition."""
    plain = re.search(r'filename="([^"]*)"', header)
    star = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    return (plain.group(1) if plain else ""), (unquote(star.group(1)) if star else None)


def shown_name(header: str) -> str:
    """The name a browser saves the file under: ``filename*`` when given."""
    plain, star = names(header)
    return star or plain


def test_a_chinese_name_goes_in_filename_star_with_an_ascii_fallback():
    header = download_disposition("项目台账-20260615.xlsx", "projects-20260615.xlsx")
    assert header == (
        'attachment; filename="projects-20260615.xlsx"; '
        "filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-20260615.xlsx"
    )
    assert names(header) == ("projects-20260615.xlsx", "项目台账-20260615.xlsx")


def test_an_ascii_name_is_sent_as_it_is_and_inline_stays_inline():
    assert download_disposition("report.pdf", "x.pdf") == 'attachment; filename="report.pdf"'
    header = download_disposition("回执单-HZ-2026-0001.pdf", "HZ-2026-0001.pdf", inline=True)
    assert header.startswith('inline; filename="HZ-2026-0001.pdf"; filename*=UTF-8')


def test_quotes_line_breaks_and_non_ascii_never_reach_the_fallback():
    header = download_disposition('a"b\r\n名.xlsx', '回执"单\\x.xlsx')
    assert "\r" not in header and "\n" not in header
    plain, star = names(header)
    assert plain == "x.xlsx" and star == 'a"b  名.xlsx'
    # a fallback with nothing ASCII left still names the file
    assert names(download_disposition("名.xlsx", "名.xlsx"))[0] == "download.xlsx"


def test_a_workbook_is_named_name_and_date_with_the_slug_as_fallback(_frozen_time):
    response = xlsx_file_response(b"PK", "projects", name="项目台账")
    assert names(response["Content-Disposition"]) == (
        f"projects-{STAMP}.xlsx",
        f"项目台账-{STAMP}.xlsx",
    )


# (route, args, query, ASCII fallback's slug, the Chinese name's msgid in context "file name")
EXPORTS = [
    ("projects:export", [], {}, "projects", "Project register"),
    ("enterprises:export", [], {}, "enterprises", "Enterprise register"),
    ("complaints:export", [], {}, "complaints", "Complaints register"),
    ("approvals:export", [], {}, "approval-cases", "Approval cases register"),
    ("inspections:export", [], {}, "inspection-requests", "Inspection requests register"),
    ("monitoring:export", [], {}, "lights", "Lights register"),
    ("exits:export", [], {}, "exit-warnings", "Exit warnings register"),
    ("land:export", [], {}, "land-parcels", "Land parcels register"),
    ("meetings:board_export", [], {}, "action-items", "Action items register"),
    ("service:needs_export", [], {}, "problem-list", "Problem list"),
]


@pytest.mark.parametrize(("route", "args", "query", "slug", "msgid"), EXPORTS)
def test_every_list_export_is_named_in_chinese(client_for, world, route, args, query, slug, msgid):
    response = client_for("bureau").get(reverse(route, args=args), query)
    assert response.status_code == 200, route
    header = response["Content-Disposition"]
    with translation.override("zh-hans"):
        expected = f"{pgettext('file name', msgid)}-{STAMP}.xlsx"
    assert shown_name(header) == expected
    if not expected.isascii():
        assert names(header)[0] == f"{slug}-{STAMP}.xlsx"
    assert header.startswith("attachment; ")


def test_the_import_template_is_named_after_what_it_imports(client_for, world):
    response = client_for("bureau").get(reverse("projects:import_template"))
    assert response.status_code == 200
    with translation.override("zh-hans"):
        what = pgettext("file name", "%(what)s import template") % {"what": "项目"}
    header = response["Content-Disposition"]
    assert shown_name(header) == f"{what}-{STAMP}.xlsx"
    assert names(header)[0] == f"projects-import-template-{STAMP}.xlsx"
