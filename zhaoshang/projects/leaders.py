"""分管县级领导 (SPEC §7, §11, §20): the one rule that says who is in charge of a project,
for its receipts (the leader a receipt is sent to, who instructs on it) and for the
escalation of its lights (the chain's "leader in charge" step).

The designated contact leader (领导定点联系) when the project has an active one, else its
project manager (项目经理, a county-level cadre) when active, else nobody — and then the
caller says what happens (a receipt is filed unsent; an escalation goes to the leading
group's office)."""

from __future__ import annotations

from collections.abc import Iterable

from zhaoshang.projects.choices import TeamRole


def leaders_in_charge(project_ids: Iterable[int]) -> dict:
    """{project id: the leader in charge (a User) or None}, for any number of projects in
    three queries."""
    from zhaoshang.org.models import User
    from zhaoshang.projects.models import Project, ProjectTeamMember

    ids = set(project_ids)
    designated = dict(
        Project.objects.filter(pk__in=ids, designated_leader__is_active=True).values_list(
            "pk", "designated_leader_id"
        )
    )
    managers = dict(
        ProjectTeamMember.objects.filter(
            project_id__in=ids - set(designated), role=TeamRole.MANAGER, user__is_active=True
        )
        .order_by("id")
        .values_list("project_id", "user_id")
    )
    chosen = {pk: designated.get(pk) or managers.get(pk) for pk in ids}
    users = User.objects.in_bulk({uid for uid in chosen.values() if uid})
    return {pk: users.get(uid) if uid else None for pk, uid in chosen.items()}


def leader_in_charge(project):
    """The project's leader in charge (a User), or None when it has neither an active
    designated contact leader nor an active project manager."""
    return leaders_in_charge([project.pk])[project.pk]
