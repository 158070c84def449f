"""The worklist's two filters for the project team (the secretary's home links to them):
the cases of the projects I manage or serve as secretary, and those no receipt (回执单)
records a visit for yet."""

from __future__ import annotations

from zhaoshang.approvals.tests.pages import make_case, worklist_ids
from zhaoshang.dashboard.tests.records import make_receipt


def test_the_cases_of_my_projects_with_no_receipt(world, client_for):
    served = make_case(world)  # project1_a: the secretary is on its team
    visited = make_case(world)
    other = make_case(world, project=world.project2_a)  # nobody's team
    receipt = make_receipt(world, world.user_manager)
    receipt.approval_case = visited
    receipt.save(update_fields=["approval_case"])

    secretary = client_for("secretary")
    everything = set(worklist_ids(secretary))
    assert {served.pk, visited.pk, other.pk} <= everything
    mine = set(worklist_ids(secretary, mine="on"))
    assert {served.pk, visited.pk, world.case_a.pk} <= mine and other.pk not in mine
    to_file = set(worklist_ids(secretary, mine="on", no_receipt="on"))
    assert served.pk in to_file and visited.pk not in to_file and other.pk not in to_file
    assert set(worklist_ids(secretary, no_receipt="on")) == everything - {visited.pk}


def test_mine_is_the_projects_held_not_every_project_served(world, client_for):
    """A service officer of project1_a whose department is paired with it serves the project
    but holds none: the receipts to file are the manager's and the secretary's (as the
    registry's "mine" and the team's home say), not every paired department's."""
    served = set(worklist_ids(client_for("officer")))
    assert world.case_a.pk in served
    assert worklist_ids(client_for("officer"), mine="on") == []
    assert worklist_ids(client_for("department"), mine="on") == []
    assert world.case_a.pk in set(worklist_ids(client_for("manager"), mine="on"))


def test_a_department_handler_who_is_a_secretary_follows_the_cases_at_every_department(
    world, client_for
):
    """The world's officer handles cases at the works department; as secretary of
    project2_a they file the receipts of its cases at the land bureau too."""
    from zhaoshang.projects.models import ProjectTeamMember

    ProjectTeamMember.objects.create(
        project=world.project2_a, user=world.user_officer, role="secretary"
    )
    officer = client_for("officer")
    assert world.case_out_a.pk not in set(worklist_ids(officer))  # another department's
    mine = set(worklist_ids(officer, mine="on", no_receipt="on"))
    assert world.case_out_a.pk in mine and world.case_a.pk not in mine
