"""Searchable selects (issue 18.5): options with their pinyin, people with their department,
pinyin order, the people field narrowed to the department field of the same form."""

from __future__ import annotations

import re

import pytest
from django import forms

from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import (
    DrawnSelect,
    SearchableSelect,
    SearchableSelectMultiple,
    label_pinyin,
    pinyin_sorted,
)
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, User
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.org import DepartmentFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def options(html: str) -> list[dict]:
    """Each <option> of the html: its attributes and its text."""
    found = []
    for attrs, text in re.findall(r"<option([^>]*)>([^<]*)</option>", html):
        row = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        row["text"] = text
        found.append(row)
    return found


def test_label_pinyin():
    assert label_pinyin("区环境保护局") == ("qhjbhj", "quhuanjingbaohuju")
    assert label_pinyin("重庆 ABC-1") == ("cqabc1", "chongqingabc1")  # the phrase table
    assert pinyin_sorted(["重庆", "北京", "安徽"], key=str) == ["安徽", "北京", "重庆"]


def test_enterprises_in_pinyin_order_with_their_pinyin():
    district = DistrictFactory()
    for name in ("重庆长安汽车", "北京京东方", "安徽海螺水泥", "成都燃气"):
        EnterpriseFactory(district=district, name=name)

    # Every option (an enterprise field is otherwise an autocomplete, issue 19.3).
    class Form(BootstrapMixin, forms.Form):
        enterprise = forms.ModelChoiceField(
            queryset=Enterprise.objects.filter(district=district).order_by("id"),
            widget=SearchableSelect(searchable=None, autocomplete=False),
        )

    html = str(Form()["enterprise"])
    assert "data-zs-search" in html
    assert 'class="form-select"' in html
    found = options(html)
    assert [o["text"] for o in found] == [
        "---------",
        "安徽海螺水泥",
        "北京京东方",
        "成都燃气",
        "重庆长安汽车",
    ]
    assert "data-pinyin" not in found[0]
    assert found[1]["data-pinyin"] == "ahhlsn anhuihailuoshuini"
    assert "data-department" not in found[1]


def test_people_carry_their_department_and_follow_the_department_field():
    district = DistrictFactory()
    works = DepartmentFactory(district=district, name="区建设局", short_name="建设局")
    land = DepartmentFactory(district=district, name="区国土局", short_name="国土局")
    zhang = UserFactory(district=district, department=works, real_name="张伟")
    li = UserFactory(district=district, department=land, real_name="李娜")
    UserFactory(district=district, department=None, real_name="王芳")

    class Form(BootstrapMixin, forms.Form):
        select_depends_on = {"person": "department"}
        department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
        person = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)  # querysets set after the mixin's __init__
            self.fields["department"].queryset = Department.objects.filter(district=district)
            self.fields["person"].queryset = User.objects.filter(district=district)

    form = Form(prefix="row-0")
    html = str(form["person"])
    assert 'data-depends-on="row-0-department"' in html
    found = {o["text"]: o for o in options(html)}
    assert list(found) == ["---------", "李娜", "王芳", "张伟"]
    assert found["张伟"]["data-department"] == str(works.pk)
    assert found["张伟"]["data-pinyin"] == "zw zhangwei"
    assert found["李娜"]["data-department"] == str(land.pk)
    assert "data-department" not in found["王芳"]
    assert "data-depends-on" not in str(form["department"])
    assert [o["text"] for o in options(str(form["department"]))][1:] == ["国土局", "建设局"]

    # The narrowing is in the browser: the server takes any person of the queryset.
    bound = Form({"row-0-department": works.pk, "row-0-person": li.pk}, prefix="row-0")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["person"] == li
    assert zhang.pk != li.pk


def test_a_multiple_select_and_models_left_plain():
    district = DistrictFactory()
    DepartmentFactory(district=district, name="区商务局", short_name="商务局")
    DepartmentFactory(district=district, name="区财政局", short_name="财政局")

    class Form(BootstrapMixin, forms.Form):
        departments = forms.ModelMultipleChoiceField(
            queryset=Department.objects.filter(district=district), required=False
        )
        districts = forms.ModelChoiceField(queryset=type(district).objects.all())
        kind = forms.ChoiceField(choices=[("b", "乙"), ("a", "甲")])

    form = Form({"departments": []})
    assert isinstance(form.fields["departments"].widget, forms.SelectMultiple)
    html = str(form["departments"])
    assert isinstance(form.fields["departments"].widget, SearchableSelectMultiple)
    assert "data-zs-search" in html and "multiple" in html
    assert [o["text"] for o in options(html)] == ["财政局", "商务局"]
    # A model that is not a long list of names, and plain choices: untouched.
    assert "data-zs-search" not in str(form["districts"])
    assert "data-pinyin" not in str(form["districts"])
    assert isinstance(form.fields["districts"].widget, SearchableSelect)
    # (drawn in Python, the same HTML as Django's templates: test_drawn_selects.py)
    assert type(form.fields["kind"].widget) is DrawnSelect
    assert [o["text"] for o in options(str(form["kind"]))] == ["乙", "甲"]


def test_a_widget_set_by_hand():
    class Form(forms.Form):
        colour = forms.ChoiceField(
            choices=[("", "—"), ("b", "蓝色"), ("r", "红色")],
            widget=SearchableSelect(pinyin_order=True, depends_on="palette"),
        )

    found = options(str(Form()["colour"]))
    assert [o["text"] for o in found] == ["—", "红色", "蓝色"]  # hongse before lanse
    assert found[1]["data-pinyin"] == "hs hongse"
    assert 'data-depends-on="palette"' in str(Form()["colour"])


def test_no_query_more_than_a_plain_select(django_assert_num_queries):
    district = DistrictFactory()
    for _ in range(5):
        UserFactory(district=district, department=DepartmentFactory(district=district))

    class Form(BootstrapMixin, forms.Form):
        person = forms.ModelChoiceField(
            queryset=User.objects.filter(district=district).select_related("department")
        )

    class Plain(forms.Form):
        person = forms.ModelChoiceField(
            queryset=User.objects.filter(district=district).select_related("department")
        )

    with django_assert_num_queries(1) as plain:
        str(Plain()["person"])
    with django_assert_num_queries(len(plain)):
        assert "data-department" in str(Form()["person"])
