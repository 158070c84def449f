"""Import of project teams (项目经理制/项目秘书制) and designated contact leaders (联系领导).

One row per person on a project's team: the project (its code, or its exact name in the
district), the role, the person (real name or user name among the district's active staff)
and since when. A row with the role “designated contact leader” sets the project's
联系领导 instead. Every row goes through the team services (``assign_team_member``,
``designate_leader``): their permission checks, rank rules and events. An import adds
people to teams; it never takes anybody off one, so a single role already held, or a
leader already designated, is refused with the person who holds it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import roles
from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Lookup,
    Ref,
    Row,
    cell_text,
    normalize_key,
)
from zhaoshang.org.models import User
from zhaoshang.projects.choices import TeamRole
from zhaoshang.projects.models import Project, ProjectTeamMember
from zhaoshang.projects.services.team import assign_team_member, designate_leader

# (Not 项目编号: an office's own numbering is not our code; the code is still accepted in
# the project column.)
PROJECT_ALIASES = ("项目", "项目名称", "项目名", "项目全称")


class _ProjectLookup(Lookup):
    """Projects by code or exact name; an ambiguous name is refused naming the codes."""

    def get(self, value):
        found = self.index.get(normalize_key(cell_text(value)), [])
        if len(found) > 1:
            raise ValidationError(
                _("Several projects are named “%(value)s” (%(codes)s); use the project code.")
                % {"value": cell_text(value), "codes": "、".join(p.code for p in found)}
            )
        return super().get(value)


class _StaffLookup(Lookup):
    """People by user name first (unique), else by real name (which two may share)."""

    def __init__(self, objects, *args):
        objects = list(objects)
        super().__init__(objects, *args)
        self.by_username = {normalize_key(u.username): u for u in objects}

    def get(self, value):
        found = self.by_username.get(normalize_key(cell_text(value)))
        return found if found is not None else super().get(value)


class StaffRef(Ref):
    def build(self, importer):
        return _StaffLookup(self.records(importer), self.keys, self.not_found, self.ambiguous)


class ProjectRef(Ref):
    """A project of the user's district named by its code (ZS-2026-0001) or exact name."""

    def __init__(self, records=None, label=None):
        super().__init__(
            records
            or (lambda imp: Project.objects.filter(district=imp.district).order_by("code", "id")),
            keys=lambda p: [p.code, p.name, project_label(p)],
            not_found=gettext_lazy("No project “%(value)s” in your district."),
            label=label or project_label,
            hint=gettext_lazy("The project code (ZS-2026-0001) or its exact name."),
        )

    def build(self, importer):
        return _ProjectLookup(self.records(importer), self.keys, self.not_found, self.ambiguous)


def project_label(project) -> str:
    return f"{project.code} {project.name}"


def project_column(records=None) -> Column:
    """The project column every per-project import begins with."""
    return Column(
        "project",
        gettext_lazy("Project"),
        ProjectRef(records),
        required=True,
        width=30,
        aliases=PROJECT_ALIASES,
    )


class ImportTeamRole(models.TextChoices):
    """The team roles, and the designated contact leader, as a team sheet names them."""

    MANAGER = TeamRole.MANAGER.value, gettext_lazy("Project manager")
    SECRETARY = TeamRole.SECRETARY.value, gettext_lazy("Project secretary")
    SERVICE_OFFICER = TeamRole.SERVICE_OFFICER.value, gettext_lazy("Service officer")
    LEADING_GROUP = TeamRole.LEADING_GROUP.value, gettext_lazy("Leading group member")
    DESIGNATED_LEADER = "designated_leader", gettext_lazy("Designated contact leader")


ROLE_ALIASES = {
    ImportTeamRole.MANAGER: ("项目经理", "经理", "项目负责人", "项目长"),
    ImportTeamRole.SECRETARY: ("项目秘书", "秘书"),
    ImportTeamRole.SERVICE_OFFICER: ("服务专员", "项目专员", "专员", "服务员", "项目服务专员"),
    ImportTeamRole.LEADING_GROUP: (
        "领导小组成员",
        "领导小组",
        "专班",
        "专班成员",
        "工作专班",
        "工作专班成员",
        "项目专班",
    ),
    ImportTeamRole.DESIGNATED_LEADER: (
        "联系领导",
        "联系区领导",
        "区联系领导",
        "包联领导",
        "挂联领导",
        "包抓领导",
        "联系县级领导",
    ),
}


def staff_label(user) -> str:
    return f"{user.real_name}（{user.username}）" if user.real_name else user.username


def _district_staff(importer):
    leader = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name="leader")
    return (
        User.objects.filter(district=importer.district, is_active=True, enterprise__isnull=True)
        .annotate(is_leader=Exists(leader))
        .order_by("real_name", "username", "id")
    )


class TeamImporter(Importer):
    """People on the teams of the district's projects, and their designated leaders."""

    kind = "team"
    model = ProjectTeamMember
    sheet_title = gettext_lazy("Project teams")
    event_verb = "project.team_imported"
    field_columns = {"designated_leader": "user", "status": "project"}
    columns = (
        project_column(
            lambda imp: (
                Project.objects.filter(district=imp.district)
                .select_related("designated_leader")
                .order_by("code", "id")
            )
        ),
        Column(
            "role",
            gettext_lazy("Team role"),
            Choice(ImportTeamRole, aliases=ROLE_ALIASES),
            required=True,
            width=18,
            help=gettext_lazy(
                "“Designated contact leader” sets the project's contact leader (a district "
                "leader) instead of a team role."
            ),
            aliases=("角色", "职务", "担任", "项目角色", "团队角色", "分工", "岗位"),
        ),
        Column(
            "user",
            gettext_lazy("Person"),
            StaffRef(
                _district_staff,
                keys=lambda u: [u.username, u.real_name, staff_label(u)],
                not_found=gettext_lazy("Nobody active in your district is named “%(value)s”."),
                ambiguous=gettext_lazy("Several people are named “%(value)s”; use the user name."),
                label=staff_label,
                hint=gettext_lazy("The person's real name or user name."),
            ),
            required=True,
            width=20,
            aliases=("姓名", "人员", "人员姓名", "成员", "成员姓名", "责任人", "联系人", "用户名"),
        ),
        Column(
            "since",
            gettext_lazy("Since"),
            Date(),
            help=gettext_lazy("Empty means today."),
            width=12,
            aliases=("起始日期", "任职日期", "开始日期", "自", "起始时间", "到岗日期"),
        ),
    )
    notes = (
        gettext_lazy(
            "One row per person and role: a project has one project manager, one project "
            "secretary and one service officer; a major project's leading group has any number "
            "of members."
        ),
        gettext_lazy(
            "The rank rules apply: the project manager is county-level, the secretary "
            "section-level, the service officer a general cadre."
        ),
        gettext_lazy(
            "A role already held, or a designated contact leader already set, is not replaced "
            "by an import: change it on the project page."
        ),
        gettext_lazy(
            "A designated contact leader is not undone with the import; the team members are."
        ),
    )

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)

    def clean_row(self, row: Row) -> None:
        person, role = row.values["user"], row.values["role"]
        if role == ImportTeamRole.DESIGNATED_LEADER and not person.is_leader:
            raise ValidationError(
                {"user": _("%(name)s is not a district leader.") % {"name": person.display_name}}
            )

    def check_rows(self, rows):
        """The same role twice for a project (one person for a single role), or the same
        person twice in its leading group, within the file."""
        first: dict[tuple, int] = {}
        for row in rows:
            role = row.values["role"]
            project = row.values["project"]
            if role == ImportTeamRole.LEADING_GROUP:
                key = (project.pk, role, row.values["user"].pk)
            else:
                key = (project.pk, role)
            if key in first:
                row.ok = False
                yield self.problem(
                    row,
                    "role" if len(key) == 2 else "user",
                    _("The same project and role also appear in row %(row)d.") % {"row": first[key]}
                    if len(key) == 2
                    else _("The same person is in this project's leading group in row %(row)d.")
                    % {"row": first[key]},
                )
            else:
                first[key] = row.number

    def create(self, values):
        project, role, person = values["project"], values["role"], values["user"]
        if role == ImportTeamRole.DESIGNATED_LEADER:
            if project.designated_leader_id == person.pk:
                return []  # the projects sheet named the same leader: nothing to do
            updated = designate_leader(self.user, project, person, replace=False)
            # The lookup's project is handed to the next rows: keep it as saved.
            project.version, project.designated_leader = updated.version, person
            return []  # no record created: the project's leader is set (see the notes)
        return assign_team_member(
            self.user, project, role, person, since=values.get("since"), replace=False, quiet=True
        )

    def summary(self, created):
        return {"ids": [m.pk for m in created if isinstance(m, ProjectTeamMember)]}
