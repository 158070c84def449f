"""The projects' search grams kept true on every path that writes the searched texts
(``projects.search``): a project saved, its enterprise renamed or given another credit
code, projects written in bulk, a project deleted, a write around ``save`` healed by the
repair (the command, the migration's fill) — and the autocomplete's
statements, the same whatever the number of projects."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.enterprises.services import update_enterprise
from zhaoshang.projects import search
from zhaoshang.projects.models import Project
from zhaoshang.projects.search_models import ProjectGram, ProjectSearchText

pytestmark = pytest.mark.django_db


def _found(term: str) -> list[int]:
    """The grams' answer, checked against the plain search's."""
    found = list(Project.objects.search(term).order_by("code", "pk").values_list("pk", flat=True))
    plain = Project.objects.search(term, grams=False).order_by("code", "pk")
    assert found == list(plain.values_list("pk", flat=True)), term
    return found


def _found_by_grams(term: str) -> list[int]:
    """The grams' answer alone (what a stale gram would get wrong)."""
    assert search.candidates(term) is not None
    return list(Project.objects.search(term).order_by("code", "pk").values_list("pk", flat=True))


def _bulk(world, n: int, word: str = "稀有") -> list[Project]:
    base = world.project1_a
    return Project.objects.bulk_create(
        Project(
            district=base.district,
            code=f"GR-{word}-{i:04d}",
            name=f"{word}项目{i}",
            name_initials=f"xyxm{i}",
            name_pinyin=f"xiyouxiangmu{i}",
            enterprise=base.enterprise,
            park=base.park,
            total_investment=base.total_investment,
        )
        for i in range(n)
    )


def test_a_saved_project_is_found_by_its_name_as_saved(world):
    project = Project.objects.get(pk=world.project1_a.pk)
    old_name = project.name
    assert project.pk in _found_by_grams(old_name)
    project.name = "青龙湖文旅综合体"
    project.save()
    assert _found_by_grams("青龙湖") == [project.pk]
    assert _found_by_grams("qlh") == [project.pk]  # the initials, remade with the name
    assert project.pk not in _found_by_grams(old_name)
    project.enterprise = world.enterprise2_a
    project.save()
    assert project.pk in _found_by_grams(world.enterprise2_a.name[:4])
    assert project.pk not in _found(world.enterprise1_a.name)


def test_a_save_that_changes_no_searched_text_remakes_nothing(world):
    project = Project.objects.get(pk=world.project1_a.pk)
    project.total_investment += 1
    with CaptureQueriesContext(connection) as saved:
        project.save()
    assert not [q for q in saved.captured_queries if "projectgram" in q["sql"].lower()]


def test_an_enterprise_renamed_or_recoded_moves_its_projects(world):
    enterprise = world.enterprise1_a
    ids = sorted(Project.objects.filter(enterprise=enterprise).values_list("pk", flat=True))
    assert ids
    old_code = enterprise.credit_code
    assert sorted(_found_by_grams(old_code)) == ids
    update_enterprise(
        world.user_bureau,
        enterprise,
        {"name": "锦江云帆科技有限公司", "credit_code": "91510100MA6CU6YP5K"},
        enterprise.version,
    )
    assert sorted(_found_by_grams("云帆")) == ids
    assert sorted(_found_by_grams("MA6CU6YP")) == ids
    assert _found_by_grams(old_code) == []


def test_projects_written_in_bulk_are_found_once_refreshed(world):
    made = _bulk(world, 5)
    # bulk_create skips save: without their grams the search would miss them ...
    assert _found_by_grams("稀有") == []
    assert search.stale().filter(pk__in=[p.pk for p in made]).count() == 5
    # ... so every bulk path remakes them (bench.grow, bench.pages, the tests' helpers).
    assert search.refresh([p.pk for p in made]) == 5
    assert _found("稀有") == sorted(p.pk for p in made)
    assert _found("xiyouxiangmu3") == [made[3].pk]
    assert not search.stale().filter(pk__in=[p.pk for p in made]).exists()


def test_a_write_around_save_is_healed_by_the_repair(world):
    Project.objects.filter(pk=world.project1_a.pk).update(name="鹿溪智谷总部")
    assert _found_by_grams("鹿溪") == []  # stale
    assert list(search.stale().values_list("pk", flat=True)) == [world.project1_a.pk]
    other = Project.objects.filter(district=world.project1_b.district_id)
    assert search.repair(other) == 0
    assert search.repair(Project.objects.filter(district=world.project1_a.district_id)) == 1
    assert _found("鹿溪") == [world.project1_a.pk]
    assert search.repair() == 0


def test_the_ledger_import_makes_its_projects_grams(world):
    from zhaoshang.projects.imports import ProjectImporter
    from zhaoshang.projects.tests.test_import import _book

    result = ProjectImporter(world.user_bureau, world.district_a).run(_book(world, 3, 700))
    assert result.ok, result.problems
    made = sorted(
        Project.objects.filter(name__startswith="计数项目70").values_list("pk", flat=True)
    )
    assert len(made) == 3
    assert sorted(_found_by_grams("计数项目70")) == made
    assert _found_by_grams("jsxm701") == [made[1]]
    assert not search.stale().filter(pk__in=made).exists()


def test_the_command_repairs_or_remakes_all(world):
    made = _bulk(world, 3)
    call_command("repair_search_grams", stdout=(out := io.StringIO()))
    assert out.getvalue() == "search grams remade for 3 projects\n"
    assert _found("稀有") == sorted(p.pk for p in made)
    call_command("repair_search_grams", "--all", stdout=(out := io.StringIO()))
    assert out.getvalue() == f"search grams remade for {Project.objects.count()} projects\n"


def test_a_deleted_project_takes_its_grams(world):
    made = _bulk(world, 1)[0]
    search.refresh([made.pk])
    assert ProjectGram.objects.filter(project_id=made.pk).exists()
    Project.objects.get(pk=made.pk).delete()
    assert not ProjectGram.objects.filter(project_id=made.pk).exists()
    assert not ProjectSearchText.objects.filter(project_id=made.pk).exists()


def test_the_migration_fills_every_project(world):
    ProjectGram.objects.all().delete()
    ProjectSearchText.objects.all().delete()
    assert _found_by_grams("华鑫") == []
    migration = importlib.import_module("zhaoshang.projects.migrations.0019_search_grams")
    migration.fill(apps, None)
    assert _found("华鑫") == [world.project1_a.pk, world.project1_b.pk]
    assert search.repair() == 0


def _statements(client, q: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("projects:autocomplete"), {"q": q})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_the_autocomplete_statements_do_not_grow_with_the_projects(world, client_for, monkeypatch):
    bureau = client_for("bureau")
    made = _bulk(world, 3)
    search.refresh([p.pk for p in made])
    bare, _ = _statements(bureau, "")
    ids = int(connection.vendor == "postgresql")  # the few's ids read first there
    # a term's grams counted (one statement), then its projects read by their codes; a
    # term no project holds: nothing more read
    few = {q: _statements(bureau, q) for q in ("稀有", "稀有项目1", "不存在")}
    assert few == {
        "稀有": (bare + 1 + ids, 3),
        "稀有项目1": (bare + 1 + ids, 1),
        "不存在": (bare, 0),
    }
    more = _bulk(world, 30, word="更多")
    search.refresh([p.pk for p in more])
    assert {q: _statements(bureau, q) for q in few} == few
    assert _statements(bureau, "更多") == (bare + 1 + ids, 20)
    # every gram common: read (a term of one gram) or counted, then the plain search
    monkeypatch.setattr(search, "PROBE_LIMIT", 2)
    assert _statements(bureau, "更多") == (bare + 1, 20)
    # ... a term of several: its first and last counted again, and met (too many)
    assert _statements(bureau, "更多项目") == (bare + 3, 20)
    monkeypatch.setattr(search, "PAIR_LIMIT", 2)  # ... or not met (too long to read)
    assert _statements(bureau, "更多项目") == (bare + 2, 20)
