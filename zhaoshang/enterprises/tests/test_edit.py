"""Editing an enterprise: a writer holding an older version is refused with 409 (the same
as every other page and the API), and nothing of theirs is saved."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.enterprises import services


def _form(enterprise, **changes) -> dict:
    data = {
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "origin": enterprise.origin,
        "version": str(enterprise.version),
    }
    data.update(changes)
    return data


def test_a_stale_edit_answers_409_and_keeps_the_other_writers_change(client_for, world):
    enterprise = world.enterprise1_a
    form = _form(enterprise, name="我的修改")
    services.update_enterprise(
        world.user_admin, enterprise, {"name": "别人先改了"}, expected_version=enterprise.version
    )
    response = client_for("bureau").post(
        reverse("enterprises:edit", args=[enterprise.pk]), form, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name == "别人先改了" and enterprise.version == 2


def test_a_current_edit_is_saved(client_for, world):
    enterprise = world.enterprise1_a
    response = client_for("bureau").post(
        reverse("enterprises:edit", args=[enterprise.pk]), _form(enterprise, name="新名称")
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "新名称" and enterprise.version == 2
