"""Health check, login throttling, append-only events, the portal boundary, languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhaoshang.core.audit import log_event
from zhaoshang.core.models import DomainEvent


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"], body["tasks"]) == ("ok",) * 4


def test_healthz_reports_a_broken_database(client, db, monkeypatch):
    from zhaoshang.core import views

    class Broken:
        def cursor(self):
            raise RuntimeError("down")

    monkeypatch.setattr(views, "connection", Broken())
    assert client.get("/healthz").status_code == 503


def test_login_is_throttled_after_repeated_failures(client, world, password, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "bureau", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        url, {"username": "bureau", "password": password}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password(client, world, password):
    response = client.post(reverse("login"), {"username": "bureau", "password": password})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Demo@2026", True),
        ("demo2026", False),
        ("abcdefgh", False),
        ("Zs9kTq2w", True),
        ("short1A", False),
    ],
)
def test_password_rules(password, ok):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_domain_events_are_append_only(world):
    event = log_event(world.user_bureau, "project.updated", world.project1_a, summary="x")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert DomainEvent.objects.count() == 1


def test_enterprise_users_are_sent_to_the_portal_and_kept_out_of_staff_pages(client_for):
    client = client_for("enterprise")
    assert client.get("/")["Location"] == reverse("portal:home")
    assert client.get(reverse("projects:list")).status_code == 403
    assert client.get("/admin/").status_code == 403


def test_staff_users_do_not_use_the_portal(client_for):
    assert client_for("bureau").get(reverse("portal:home")).status_code == 403


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "项目"), ("en", "Projects")])
def test_the_interface_speaks_both_languages(client_for, language, text):
    client = client_for("bureau")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert text in client.get(reverse("projects:list")).content.decode()


def test_chinese_is_the_default(client_for):
    html = client_for("bureau").get(reverse("projects:list")).content.decode()
    assert 'lang="zh-CN"' in html and "招商引资项目服务平台" in html


def test_content_security_policy_forbids_foreign_scripts(client_for):
    header = client_for("bureau").get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in header and "http" not in header


def test_pages_reference_no_cdn(client_for):
    html = client_for("bureau").get("/").content.decode()
    assert "cdn" not in html.lower() and "https://" not in html


def test_every_page_title_names_the_page_then_the_product(client_for):
    import re
    from pathlib import Path

    body = client_for("bureau").get("/projects/").content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    page, _, product = title.partition(" · ")
    assert page.strip() and product.strip() and page != product, title
    # every template on the base layout gives its own title
    root = Path(__file__).resolve().parents[2]
    untitled = [
        str(t.relative_to(root))
        for t in root.rglob("*.html")
        if '{% extends "base.html" %}' in t.read_text() and "{% block title %}" not in t.read_text()
    ]
    assert not untitled
