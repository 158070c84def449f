"""The projects' search by grams (issue 19.3, ``projects.search``): for any term it answers
exactly what the plain search (every project checked) answers, in the same order, on
SQLite and PostgreSQL — and a term few projects hold is looked for among those few."""

from __future__ import annotations

import random

import pytest

from zhaoshang.projects import search
from zhaoshang.projects.models import Project
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

# Names and enterprises as a district writes them: Chinese, Latin letters of both cases,
# digits, spaces, full-width brackets, a character whose case maps to two (ß), one whose
# upper case is plain Latin (ſ).
NAMES = [
    ("电子信息产业园项目", "成都电子科技有限公司"),
    ("新能源电池Pack生产线", "四川锂能新能源有限公司"),
    ("ABC智能制造基地（二期）", "ABC Holdings 有限公司"),
    ("数据中心2024扩建", "天府数据服务有限公司"),
    ("光伏 Solar 组件项目", "阳光Solar能源有限公司"),
    ("Straße物流中心", "德邦ſtraße贸易有限公司"),
    ("锂电池回收利用", "绿色循环科技有限公司"),
    ("电子元器件2025", "成都电子科技有限公司（分公司）"),
    # 甲乙丙 held by two, 乙丙丁 by two, both by one
    ("甲乙丙丁工程", "龙泉建设有限公司"),
    ("甲乙丙仓储", "青白江物流有限公司"),
    ("乙丙丁码头", "新津港务有限公司"),
]


@pytest.fixture
def projects(world):
    district = world.project1_a.district
    made = []
    for n, (name, enterprise) in enumerate(NAMES):
        made.append(
            ProjectFactory(
                district=district,
                name=name,
                code=f"ZS-2024-{n:04d}",
                enterprise=EnterpriseFactory(district=district, name=enterprise),
            )
        )
    return made


def _texts(project: Project) -> list[str]:
    enterprise = project.enterprise
    return [
        project.name,
        project.code,
        enterprise.name if enterprise else "",
        enterprise.credit_code if enterprise else "",
        project.name_initials,
        project.name_pinyin,
    ]


def _terms(projects) -> set[str]:
    """Every piece of one to three characters of every searched text, longer pieces from
    each place, the whole texts, each also in upper and swapped case, with a space inside,
    and terms nothing holds."""
    terms = {"不存在", "zzqx", "2024扩", "ss", "SS", "ß", "İ", "solar组件", "  电  "}
    for project in projects:
        for text in _texts(project):
            for n in (1, 2, 3, 4, 6):
                terms.update(text[i : i + n] for i in range(len(text) - n + 1))
            terms.add(text)
            if len(text) > 3:
                terms.add(f"{text[:2]} {text[2:5]}")
    for term in list(terms):
        terms.update({term.upper(), term.swapcase()})
    return {t for t in terms if t.strip()}


def _answer(term: str, grams: bool) -> list[int]:
    found = Project.objects.search(term, grams=grams).order_by("code", "pk")
    return list(found.values_list("pk", flat=True))


def test_the_grams_answer_what_the_plain_search_answers(world, projects):
    terms = sorted(_terms(Project.objects.select_related("enterprise")))
    assert len(terms) > 2000
    # A fixed sample of them (each compared costs four statements), the odd ones kept.
    terms = random.Random(19).sample(terms, 700) + [t for t in terms if not t.isalnum()][:100]
    served = 0
    for term in terms:
        assert _answer(term, True) == _answer(term, False), term
        served += search.candidates(term.strip()) is not None
    # Nearly every term was looked for among its gram's projects (the world is small: no
    # gram reaches PROBE_LIMIT), so the comparison tested the grams, not the fallback.
    assert served > 0.95 * len(terms)


def test_a_term_holding_only_common_grams_is_searched_plain(world, projects, monkeypatch):
    monkeypatch.setattr(search, "PROBE_LIMIT", 2)
    assert search.candidates("电子") is None  # held by three projects of the world's
    assert search.candidates("2024扩建") is not None  # 扩建 held by one
    for term in ("电子", "电", "有限公司", "2024扩建", "Solar", "zs-2024"):
        assert _answer(term, True) == _answer(term, False)


def test_a_term_of_common_grams_meets_its_first_and_last(world, projects, monkeypatch):
    monkeypatch.setattr(search, "PROBE_LIMIT", 2)
    # "zs-" and "-20" are held by every project of the fixture's: met, the two lists give
    # those holding both (all of them here: too many for a PROBE_LIMIT of 2) ...
    assert search.candidates("zs-20") is None
    # ... while "甲乙丙" and "乙丙丁" are each held by two of them, both by one
    assert search.candidates("甲乙丙丁") == ("甲乙丙", "乙丙丁")
    assert list(search.holders(("甲乙丙", "乙丙丁")).values_list("pk", flat=True)) == [
        projects[8].pk
    ]
    monkeypatch.setattr(search, "PAIR_LIMIT", 2)  # a list too long to read whole
    assert search.candidates("甲乙丙丁") is None
    for term in ("甲乙丙丁", "zs-20", "ZS-2024-000"):
        assert _answer(term, True) == _answer(term, False)


def test_a_rare_term_reads_its_few_projects_only(world, projects):
    few = search.candidates("扩建")
    assert few == ("扩建",)
    assert list(search.holders(few).values_list("pk", flat=True)) == [projects[3].pk]
    assert _answer("扩建", True) == [projects[3].pk]
    assert search.candidates("不存在") == ()
    assert _answer("不存在", True) == []


def test_fold_meets_what_the_databases_case_rules_meet():
    assert search.fold("Straße ABC") == "strasseabc"
    assert search.fold("ſ") == "s"
    assert search.term_grams("ß") is None  # its case maps to two: the plain search
    assert search.term_grams("电子") == ["电子"]
    assert search.term_grams("2024") == ["202", "024"]
    long = search.term_grams("abcdefghijklmnop")
    assert len(long) == search.MAX_PROBED and long[0] == "abc" and long[-1] == "nop"
