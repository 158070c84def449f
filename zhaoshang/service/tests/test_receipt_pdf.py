"""The receipt prints as a one-page PDF in the government form layout, with Chinese fonts
embedded, and its text holds the receipt's fields; rendering touches no network."""

from __future__ import annotations

import io
import os

import pytest
from django.urls import reverse

from zhaoshang.core.pdf import StaticOnlyFetcher, render_pdf
from zhaoshang.service.choices import ReceiptResult

if os.environ.get("CI"):
    import pypdf  # a dev dependency: CI must have it
else:
    pypdf = pytest.importorskip("pypdf")


def _text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), "".join(text.split())


def _fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_receipt_pdf_is_one_page_with_its_chinese_fields(world, client_for, file_receipt):
    receipt = file_receipt(
        result=ReceiptResult.NEEDS_COORDINATION,
        problems="施工临时用电方案需供电公司现场踏勘后确定",
        approval_case=world.case_a,
    )
    response = client_for("manager").get(reverse("service:receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages, text = _text(response.content)
    assert pages == 1
    for expected in (
        "招商引资企业手续办理回执单",
        receipt.number,
        "华鑫新能源电池项目",
        world.project1_a.enterprise.name,
        "区建设局",
        "王建国",
        "施工许可证办理咨询",
        "提交施工图审查合格书",
        "需协调",
        "施工临时用电方案需供电公司现场踏勘后确定",
        world.case_a.item.name,
        "2026年6月12日",
        world.user_secretary.display_name,
        world.user_manager.display_name,
        "分管县级领导（签字）",
    ):
        assert expected in text, expected
    assert any("CJK" in name for name in _fonts(response.content))


def test_a_long_receipt_still_fits_on_one_page(world, file_receipt):
    receipt = file_receipt(work_done="窗口受理并出具受理通知书。" * 25, problems="用电" * 60)
    pdf = render_pdf(
        "service/receipt_pdf.html",
        {"receipt": receipt, "instructions": [], "team": {}, "result_label": "在办"},
    )
    pages, _text_ = _text(pdf)
    assert pages == 1


def test_rendering_fetches_nothing_but_static_files(settings):
    fetcher = StaticOnlyFetcher()
    for url in (
        "https://cdn.example.com/font.woff2",
        "http://pdf.invalid/media/projects/1/a.pdf",
        "file:///etc/passwd",
        "http://pdf.invalid/static/../../etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    found = fetcher.fetch("http://pdf.invalid" + settings.STATIC_URL + "zs/app.css")
    assert b"zs-topbar" in found.read()
    assert found.content_type == "text/css"


def test_a_template_linking_the_network_still_renders_offline(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "net.html").write_text(
        '<html lang="zh-CN"><head><link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '</head><body><img src="https://cdn.example.com/x.png"><p>离线渲染</p></body></html>',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to open a network connection")

    original = socket.socket.connect
    socket.socket.connect = refuse
    try:
        pdf = render_pdf("net.html", {})
    finally:
        socket.socket.connect = original
    assert "离线渲染" in _text(pdf)[1]
