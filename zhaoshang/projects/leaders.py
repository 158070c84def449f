"""分管县级领导 (SPEC §7, §11, §20): the one rule that says who is in charge of a project,
for its receipts (the leader a receipt is sent to, who instructs on it) and for the
escalation of its lights (the chain's "leader in charge" step).

The designated contact leader (领导定点联系) when the project has an active one, else its
project manager (项目经理, a county-level cadre) when active, else nobody — and then the
caller says what happens (a receipt is filed unsent; an escalation goes to the leading
group's office)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, F, IntegerField, OuterRef, Subquery, When

from zhaoshang.projects.choices import TeamRole


def leader_in_charge_id(path: str = ""):
    """SQL: the user id of the leader in charge of the project at ``path`` ("" on a
    project's own rows, ``"project"`` on a receipt's or a need's): the rule, written once,
    which ``leaders_in_charge`` reads too."""
    from zhaoshang.projects.models import ProjectTeamMember

    prefix = f"{path}__" if path else ""
    manager = (
        ProjectTeamMember.objects.filter(
            project=OuterRef(path or "pk"), role=TeamRole.MANAGER, user__is_active=True
        )
        .order_by("id")
        .values("user_id")[:1]
    )
    return Case(
        When(
            **{f"{prefix}designated_leader__is_active": True},
            then=F(f"{prefix}designated_leader_id"),
        ),
        default=Subquery(manager),
        output_field=IntegerField(),
    )


def leaders_in_charge(project_ids: Iterable[int]) -> dict:
    """{project id: the leader in charge (a User) or None}, for any number of projects in
    two queries."""
    from zhaoshang.org.models import User
    from zhaoshang.projects.models import Project

    chosen = dict(
        Project.objects.filter(pk__in=set(project_ids))
        .annotate(leader_id=leader_in_charge_id())
        .values_list("pk", "leader_id")
    )
    users = User.objects.in_bulk({uid for uid in chosen.values() if uid})
    return {pk: users.get(uid) if uid else None for pk, uid in chosen.items()}


def leader_in_charge(project):
    """The project's leader in charge (a User), or None when it has neither an active
    designated contact leader nor an active project manager."""
    return leaders_in_charge([project.pk]).get(project.pk)
