"""The reports hub's button opens a report (打开, not the case status 在办); a report's
files are named in Chinese with an ASCII fallback, and the word "draft" is on none of them:
live figures say they are not issued (or, once a version is issued, whose live figures
they are), an issued version carries its number and version."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from zhaoshang.core.tests.test_download_names import names, shown_name
from zhaoshang.reports import services
from zhaoshang.reports.choices import Kind, Period

MAY = Period(Kind.MONTHLY, "2026-05")


def zh(context: str, msgid: str) -> str:
    with translation.override("zh-hans"):
        return pgettext(context, msgid)


def test_the_hub_button_opens_a_report(client_for, world):
    html = client_for("leader").get(reverse("reports:hub")).content.decode()
    buttons = re.findall(r'data-testid="open-report">([^<]*)<', html)
    assert buttons and set(buttons) == {zh("button: open a report", "Open")}
    assert "在办" not in buttons


def _live(client, fmt):
    return client.get(reverse("reports:export", args=["monthly", fmt]), {"period": MAY.code})


def test_no_report_file_is_named_draft(client_for, world):
    client = client_for("leader")
    for fmt in ("xlsx", "docx", "pdf"):
        header = _live(client, fmt)["Content-Disposition"]
        name = shown_name(header)
        assert name.endswith(f"（{zh('report file name', 'not issued')}）.{fmt}")
        assert "draft" not in header and "草稿" not in name
        assert names(header)[0] in ("", f"monthly-2026-05-live.{fmt}")

    report = services.issue_report(world.user_bureau, Kind.MONTHLY, MAY)
    for fmt in ("xlsx", "docx", "pdf"):
        header = client.get(reverse("reports:download", args=[report.pk, fmt]))[
            "Content-Disposition"
        ]
        assert shown_name(header) == report.download_name(fmt)
        assert report.number in shown_name(header) and "draft" not in header
        assert names(header)[0] == f"monthly-2026-05-v1.{fmt}"
        # the live figures of an issued month are not called unissued, nor a draft
        live = shown_name(_live(client, fmt)["Content-Disposition"])
        note = zh("report file name", "live figures of %(date)s") % {"date": "20260615"}
        assert live.endswith(f"（{note}）.{fmt}") and "draft" not in live


def test_the_api_sends_the_issued_name_too(client_for, world):
    report = services.issue_report(world.user_bureau, Kind.MONTHLY, MAY)
    response = client_for("leader").get(reverse("api:report-file", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    assert shown_name(response["Content-Disposition"]) == report.download_name("pdf")
