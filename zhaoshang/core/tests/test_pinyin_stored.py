"""Pinyin stored with the names (issue 19.5): people, departments and enterprises keep the
pinyin keys of their label in a column written on save, and the searchable selects read
it, so that serving a page never imports pypinyin (its phrase table costs a worker
~53 MiB). The keys are the very strings the computation gives."""

from __future__ import annotations

import re
import sys

import pytest
from django.urls import reverse

from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.core import pinyin
from zhaoshang.core.widgets import label_pinyin
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, User
from zhaoshang.service.choices import NeedCategory
from zhaoshang.service.models import Need
from zhaoshang.service.services.needs import raise_need
from zhaoshang.testing.clients import SESSIONS, client_with_session

pytestmark = pytest.mark.django_db

# Pages whose forms draw searchable selects of people, departments or enterprises.
PAGES = [
    ("bureau", "approvals:worklist"),
    ("bureau", "projects:list"),
    ("supervisor", "meetings:board"),
    ("city", "projects:list"),
    ("supervisor", "meetings:create"),
    ("supervisor", "meetings:action_item_create"),
]
TITLES = ["区长助理", "副区长（分管财政金融）", "局长", ""]


def _options(user, name) -> list[bytes]:
    """The page's options (value, label, data-pinyin …), in the order drawn."""
    response = client_with_session(SESSIONS[user]).get(reverse(name))
    assert response.status_code == 200, (user, name)
    return re.findall(rb"<option[^>]*>[^<]*", response.content)


def _without_pypinyin(patched) -> None:
    """pypinyin cannot be imported (an import raises ImportError), nor read from the
    computation's cache."""
    pinyin.keys.cache_clear()
    for module in [m for m in sys.modules if m == "pypinyin" or m.startswith("pypinyin.")]:
        patched.delitem(sys.modules, module)
    patched.setitem(sys.modules, "pypinyin", None)


@pytest.fixture
def no_pypinyin(monkeypatch):
    with monkeypatch.context() as patched:
        _without_pypinyin(patched)
        yield
    pinyin.keys.cache_clear()


def test_pages_draw_the_same_options_without_importing_pypinyin(world, monkeypatch):
    for n, user in enumerate(User.objects.filter(district=world.district_a)):
        user.title = TITLES[n % len(TITLES)]  # labels show "name（title）"
        user.save(update_fields=["title"])
    need = raise_need(
        world.user_secretary,
        world.project1_a,
        category=NeedCategory.UTILITIES,
        title="厂区临时用电接入",
        description="施工临时用电需新增一台变压器。",
        department=world.dept_works_a,
        due_workdays=5,
    )
    assert need.pinyin == pinyin.joined(str(need))
    with monkeypatch.context() as patched:  # every option's keys computed, as before
        patched.setattr(pinyin, "stored_keys", lambda instance, label: None)
        computed = {page: _options(*page) for page in PAGES}
    pinyin_options = [o for page in PAGES for o in computed[page] if b"data-pinyin=" in o]
    assert len(pinyin_options) > 10
    assert any("（区长助理）".encode() in option for option in pinyin_options)
    assert any("厂区临时用电接入".encode() in option for option in pinyin_options)
    with monkeypatch.context() as patched:
        _without_pypinyin(patched)
        for page in PAGES:
            assert _options(*page) == computed[page], page  # the same keys, the same order
    pinyin.keys.cache_clear()


def test_stored_keys_are_the_computed_ones(world):
    for model in (User, Department, Enterprise, ApprovalItem, Need):
        rows = list(model.objects.all())
        assert rows or model is Need
        for row in rows:
            assert row.pinyin == " ".join(label_pinyin(str(row))), row
    for user in User.objects.all():
        assert user.title_pinyin == (" ".join(label_pinyin(user.title)) if user.title else "")


def test_a_rename_refreshes_them_and_a_log_in_does_not_compute(world, no_pypinyin):
    department = Department.objects.get(pk=world.dept_works_a.pk)
    department.save(update_fields=["sort_order"])  # no name changed: nothing to compute
    user = User.objects.get(pk=world.dept_works_a.users.first().pk)
    user.save(update_fields=["last_login"])
    user.save()  # loaded, unchanged: the stored keys stay
    with pytest.raises(ImportError):
        department.short_name = "重庆银行"
        department.save()


def test_a_rename_writes_the_new_keys(world):
    department = Department.objects.get(pk=world.dept_works_a.pk)
    department.short_name = "重庆银行"
    department.save(update_fields=["short_name"])
    department.refresh_from_db()
    assert department.pinyin == "cqyh chongqingyinhang"
    user = User.objects.get(pk=world.dept_works_a.users.first().pk)
    user.title = "副区长（分管财政金融）"
    user.save(update_fields=["title"])
    assert User.objects.get(pk=user.pk).title_pinyin == "fqzfgczjr fuquzhangfenguancaizhengjinrong"
    user.title = ""
    user.save()
    assert User.objects.get(pk=user.pk).title_pinyin == ""
    enterprise = Enterprise.objects.first()
    enterprise.name = "银行大厦 ABC"
    enterprise.save()
    assert Enterprise.objects.get(pk=enterprise.pk).pinyin == "yhdsabc yinhangdashaabc"


@pytest.mark.parametrize(
    "own, label",
    [
        ("重庆银行", "重庆银行"),
        ("重庆银行", "重庆银行 13800000000"),
        ("重庆银行", "A-1 重庆银行（—）"),
        ("银行", "x银行y"),
        ("ABC重庆", "ABC重庆 Ⅱ"),
        ("张三", "张三（—）"),
    ],
)
def test_a_label_around_the_own_text_without_chinese_reads_the_stored_keys(own, label):
    class Named:
        def __init__(self):
            self.pinyin = pinyin.joined(own)

        def __str__(self):
            return own

    assert pinyin.stored_keys(Named(), label) == pinyin.keys(label)


@pytest.mark.parametrize("label", ["重庆银行（科长）", "长重庆银行", "〇重庆银行"])
def test_a_label_with_other_chinese_text_is_computed(label):
    class Named:
        pinyin = pinyin.joined("重庆银行")

        def __str__(self):
            return "重庆银行"

    assert pinyin.stored_keys(Named(), label) is None
