"""Searchable selects, the cases around the switch (review of issue 18.5): widgets other than
a plain select stay as they are, a field replaced or added after a first rendering is
switched too, a disabled field stays disabled, the empty choice stays first whatever its
words, equal labels keep the queryset's order, a renamed enterprise moves to its new place,
each label's pinyin is worked out once per rendering, and building a form costs no query."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django import forms

from zhaoshang.core import widgets
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.widgets import SearchableSelect, SearchableSelectMultiple
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import User
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.org import DepartmentFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def texts(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", html)


@pytest.fixture
def district():
    district = DistrictFactory()
    works = DepartmentFactory(district=district, name="区建设局", short_name="建设局")
    for name in ("赵云", "安然", "陈静"):
        UserFactory(district=district, department=works, real_name=name)
    return district


def test_other_widgets_of_people_stay_as_they_are(district):
    people = User.objects.filter(district=district)

    class Form(BootstrapMixin, forms.Form):
        ticked = forms.ModelMultipleChoiceField(
            queryset=people, widget=forms.CheckboxSelectMultiple, required=False
        )
        one = forms.ModelChoiceField(queryset=people, widget=forms.RadioSelect, required=False)
        hidden = forms.ModelChoiceField(queryset=people, widget=forms.HiddenInput, required=False)
        many_hidden = forms.ModelMultipleChoiceField(
            queryset=people, widget=forms.MultipleHiddenInput, required=False
        )

    form = Form()
    html = form.as_div()
    assert "data-zs-search" not in html and "data-pinyin" not in html
    assert type(form.fields["ticked"].widget) is forms.CheckboxSelectMultiple
    assert type(form.fields["one"].widget) is forms.RadioSelect
    assert type(form.fields["hidden"].widget) is forms.HiddenInput
    assert type(form.fields["many_hidden"].widget) is forms.MultipleHiddenInput
    assert html.count('type="checkbox"') == 3 and html.count('type="radio"') == 3


def test_a_field_replaced_or_added_after_a_first_rendering_is_switched(district):
    people = User.objects.filter(district=district)

    class Form(BootstrapMixin, forms.Form):
        select_depends_on = {"person": "department"}
        title = forms.CharField()
        department = forms.ModelChoiceField(queryset=people.none(), required=False)

    form = Form()
    str(form["title"])
    form.fields["person"] = forms.ModelChoiceField(queryset=people)
    form.fields["department"] = forms.ModelChoiceField(queryset=people, disabled=True)
    html = str(form["person"])
    assert isinstance(form.fields["person"].widget, SearchableSelect)
    assert "data-zs-search" in html and 'data-depends-on="department"' in html
    assert texts(html)[1:] == ["安然", "陈静", "赵云"]
    # A disabled field: searchable, still disabled (select.js disables its text box).
    disabled = str(form["department"])
    assert "data-zs-search" in disabled and " disabled" in disabled


def test_the_empty_choice_stays_first_and_equal_labels_keep_their_order(district):
    works = User.objects.filter(district=district).first().department
    twins = [UserFactory(district=district, department=works, real_name="安然") for _ in "ab"]

    class Form(BootstrapMixin, forms.Form):
        person = forms.ModelChoiceField(
            queryset=User.objects.filter(district=district).order_by("-id"),
            required=False,
            empty_label="全部",  # "quanbu": after 安然 and 陈静 in pinyin order, still first
        )

    html = str(Form()["person"])
    assert texts(html) == ["全部", "安然", "安然", "安然", "陈静", "赵云"]
    values = re.findall(r'<option value="(\d+)"[^>]*>安然<', html)
    first = User.objects.filter(district=district, real_name="安然").order_by("id").first()
    # Equal labels in the queryset's order (newest first here).
    assert values == [str(twins[1].pk), str(twins[0].pk), str(first.pk)]


def test_a_renamed_enterprise_takes_its_new_place_and_pinyin(district):
    one = EnterpriseFactory(district=district, name="北京京东方")
    EnterpriseFactory(district=district, name="成都燃气")

    class Form(BootstrapMixin, forms.Form):  # every option: not the autocomplete (issue 19.3)
        enterprise = forms.ModelChoiceField(
            queryset=Enterprise.objects.filter(district=district),
            widget=SearchableSelect(searchable=None, autocomplete=False),
        )

    assert texts(str(Form()["enterprise"]))[1:] == ["北京京东方", "成都燃气"]
    one.name = "重庆长安汽车"
    one.save()
    html = str(Form()["enterprise"])
    assert texts(html)[1:] == ["成都燃气", "重庆长安汽车"]
    assert 'data-pinyin="cqcaqc chongqingchanganqiche"' in html


def test_each_label_is_worked_out_once_per_rendering(district):
    class Form(BootstrapMixin, forms.Form):
        people = forms.ModelMultipleChoiceField(queryset=User.objects.filter(district=district))

    with mock.patch.object(widgets, "_keys", wraps=widgets._keys) as keys:
        html = str(Form()["people"])
    assert isinstance(Form()["people"].field.widget, SearchableSelectMultiple)
    assert html.count("data-pinyin") == 3
    assert keys.call_count == 3  # the sort and the options share the keys


def test_building_a_form_costs_no_query_and_rendering_one(district, django_assert_num_queries):
    class Form(BootstrapMixin, forms.Form):
        person = forms.ModelChoiceField(queryset=User.objects.filter(district=district))
        people = forms.ModelMultipleChoiceField(
            queryset=User.objects.filter(district=district).prefetch_related("groups")
        )

    with django_assert_num_queries(0):
        form = Form()
        bound = form["person"], form["people"]
    with django_assert_num_queries(1):
        str(bound[0])
    with django_assert_num_queries(2):  # the people and their groups, once
        str(bound[1])


def test_grouped_choices_keep_their_groups():
    class Form(forms.Form):
        person = forms.ChoiceField(
            choices=[("", "—"), ("建设局", [("z2", "赵云"), ("z1", "安然")]), ("c3", "陈静")],
            widget=SearchableSelect(pinyin_order=True),
        )

    html = str(Form()["person"])
    assert '<optgroup label="建设局">' in html
    assert texts(html) == ["—", "赵云", "安然", "陈静"]
    assert 'data-pinyin="zy zhaoyun"' in html
