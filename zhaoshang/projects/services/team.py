"""The project team (项目经理制/项目秘书制): who serves the project, at which rank."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import gather, raise_errors, require
from zhaoshang.notifications.services import notify
from zhaoshang.org.choices import Rank
from zhaoshang.org.models import User
from zhaoshang.projects import permissions
from zhaoshang.projects.choices import SINGLE_TEAM_ROLES, TEAM_ROLE_RANK, TeamRole
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.projects.services.registry import update_project


def check_team_rank(role: str, member: User) -> None:
    """The 项目经理制 rank rules: manager county-level, secretary section-level,
    service officer a general cadre."""
    needed = TEAM_ROLE_RANK.get(role)
    if needed and member.rank != needed:
        raise ValidationError(
            {
                "user": _("The %(role)s must be a %(rank)s; %(name)s is %(actual)s.")
                % {
                    "role": TeamRole(role).label,
                    "rank": Rank(needed).label,
                    "name": member.display_name,
                    "actual": Rank(member.rank).label if member.rank else _("without a rank"),
                }
            }
        )


def _single_role_taken(role: str, holder: User, member: User) -> str:
    if holder.pk == member.pk:
        return _("%(name)s is already the %(role)s of this project.") % {
            "name": member.display_name,
            "role": TeamRole(role).label,
        }
    return _(
        "The project already has %(name)s as its %(role)s; change the team on the project page."
    ) % {"name": holder.display_name, "role": TeamRole(role).label}


@transaction.atomic
def assign_team_member(
    user,
    project: Project,
    role: str,
    member: User,
    *,
    since: datetime.date | None = None,
    replace: bool = True,
    quiet: bool = False,
) -> ProjectTeamMember:
    """Put a person on the project team; a single role (manager, secretary, officer) is replaced.

    ``since`` (not in the future) is the day the person took the role, today when not
    given (a ledger brought in names its own). With ``replace=False`` (an import) a single
    role already held is refused instead of replaced: the import adds, it never takes a
    person off a team. ``quiet`` (an import, 补录): the person is told nothing, the team
    already stood before the platform."""
    require(permissions.can_manage_team(user, project))
    errors: dict = {}  # every problem of the choice, in one answer
    if since is not None and since > clock.today():
        errors["since"] = [_("The date cannot be in the future.")]
    if role not in TeamRole.values:
        errors["role"] = [_("Unknown team role.")]
    elif role == TeamRole.LEADING_GROUP and project.level != "major":
        errors["role"] = [_("Only a major project has a dedicated leading group.")]
    if member.district_id != project.district_id:
        errors.setdefault("user", []).append(_("This person works in another district."))
    if member.enterprise_id:
        errors.setdefault("user", []).append(_("An enterprise user cannot be on the project team."))
    if role in TeamRole.values:
        gather(errors, check_team_rank, role, member)
    raise_errors(errors)
    if role in SINGLE_TEAM_ROLES and replace:
        ProjectTeamMember.objects.filter(project=project, role=role).delete()
    elif role in SINGLE_TEAM_ROLES:
        holder = (
            ProjectTeamMember.objects.filter(project=project, role=role)
            .select_related("user")
            .first()
        )
        if holder is not None:
            raise ValidationError({"user": _single_role_taken(role, holder.user, member)})
    elif ProjectTeamMember.objects.filter(project=project, role=role, user=member).exists():
        raise ValidationError({"user": _("This person is already in the leading group.")})
    membership = ProjectTeamMember.objects.create(
        project=project, role=role, user=member, since=since or clock.today()
    )
    log_event(
        user,
        "project.team_assigned",
        project,
        summary=f"{TeamRole(role).label}: {member.display_name}",
        role=role,
        user=member.pk,
    )
    if quiet:
        return membership
    notify(
        [member],
        "project.team_assigned",
        _("You are now %(role)s of %(project)s")
        % {"role": TeamRole(role).label, "project": project.name},
        url=project.get_absolute_url(),
    )
    return membership


@transaction.atomic
def remove_team_member(user, membership: ProjectTeamMember) -> None:
    """Take a person off the project team."""
    project = membership.project
    require(permissions.can_manage_team(user, project))
    log_event(
        user,
        "project.team_removed",
        project,
        summary=f"{membership.get_role_display()}: {membership.user.display_name}",
        role=membership.role,
        user=membership.user_id,
    )
    membership.delete()


def designate_leader(user, project: Project, leader: User, *, replace: bool = True) -> Project:
    """Make ``leader`` (a district leader of the project's district) the project's designated
    contact leader (联系领导), through ``update_project`` (its permission check, lock and
    event). With ``replace=False`` (an import) a project that has one already is refused."""
    errors: dict = {}
    if leader.district_id != project.district_id:
        errors["designated_leader"] = [_("This person works in another district.")]
    elif not leader.is_active or not leader.groups.filter(name="leader").exists():
        errors["designated_leader"] = [
            _("%(name)s is not a district leader.") % {"name": leader.display_name}
        ]
    elif not replace and project.designated_leader_id:
        current = project.designated_leader
        errors["designated_leader"] = [
            _("%(name)s is already the designated contact leader of this project.")
            % {"name": leader.display_name}
            if current.pk == leader.pk
            else _(
                "The project already has %(name)s as its designated contact leader; change it on the project page."
            )
            % {"name": current.display_name}
        ]
    raise_errors(errors)
    return update_project(
        user, project, {"designated_leader": leader}, expected_version=project.version
    )
