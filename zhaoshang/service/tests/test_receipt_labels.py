"""A receipt's result reads as a case's outcome (办结), never as a construction stage
(竣工): "Completed" is translated in its context ("receipt result"), on every page that
shows a receipt's state, while a project's stage keeps its own word."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhaoshang.projects.choices import Stage
from zhaoshang.service.choices import ReceiptResult


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def test_the_result_label_is_the_case_word_and_the_stage_keeps_its_own(chinese):
    assert str(ReceiptResult.DONE.label) == "已办结"
    assert str(Stage.COMPLETED.label) == "已竣工"


@pytest.mark.parametrize(
    ("route", "args", "query"),
    [
        ("service:receipt", "receipt", {}),
        ("service:project", "project", {}),
        ("service:summary", None, {"period": "week", "by": "project"}),
    ],
)
def test_pages_showing_a_receipts_state_say_banjie(
    chinese, world, client_for, file_receipt, route, args, query
):
    receipt = file_receipt(result=ReceiptResult.DONE)
    pk = {"receipt": receipt.pk, "project": world.project1_a.pk, None: None}[args]
    client = client_for("bureau")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse(route, args=[pk] if pk else []), query).content.decode()
    assert "已办结" in html
    # the project's stage stepper may say 已竣工; no receipt figure or badge does
    assert not re.search(r"已竣工\s*</(th|span|dd)>|已竣工</div><div class=\"zs-stat", html)
