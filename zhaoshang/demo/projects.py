"""The projects' history, replayed through the project services (SPEC §4, §5).

Each project's story — registered, moved from stage to stage with its evidence, its team
named, its condition marked, funds recorded, monthly progress filed — is planned as steps on
the replay's ``Timeline`` and played with the clock set to each moment, by the person who did
it. The services write the rows, the domain events, the change history and the messages
themselves, dated by the clock.
"""

from __future__ import annotations

import datetime
import zlib

from django.core.files.base import ContentFile

from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.files import tiny_pdf, tiny_png
from zhaoshang.demo.progress import ProgressMixin
from zhaoshang.demo.replay import Timeline, office_time
from zhaoshang.demo.world import PACE
from zhaoshang.enterprises import services as enterprise_services
from zhaoshang.projects import services
from zhaoshang.projects.choices import (
    STAGE_EVIDENCE,
    Condition,
    Level,
    Stage,
    TeamRole,
)
from zhaoshang.projects.models import MaterialType

ONE_MINUTE = datetime.timedelta(minutes=1)
# Materials kept in the library besides the stage evidence: (stage reached, material).
EXTRA_MATERIALS = [tuple(row) for row in PACE["EXTRA_MATERIALS"]]


def chain(line: Timeline, rng, steps: list[tuple[datetime.date, object]]) -> None:
    """Plan one record's steps ``[(day, fn), …]`` in their order, each at an office time of
    its day and strictly after the step before."""
    previous = None
    for day, fn in sorted(steps, key=lambda s: s[0]):
        when = office_time(rng, day, late=0.02)
        if previous is not None and when <= previous:
            when = previous + ONE_MINUTE * rng.randint(5, 40)
        previous = when
        line.add(when, fn)


class ProjectsReplay(ProgressMixin):
    """Plans the enterprises' and projects' steps of one district on the timeline."""

    def __init__(self, builder, world, line: Timeline):
        self.b, self.world, self.line = builder, world, line
        self.rng, self.today = builder.rng, builder.today
        self.first_upload: dict[tuple[str, str], datetime.date] = {}
        self.materials = {m.code: m for m in MaterialType.objects.all()}
        self.bureau = world.role_users[Role.BUREAU]
        bureau_pk = world.departments["bureau"].pk
        self.bureau_staff = [
            u for u in world.staff if u.department_id == bureau_pk and u.rank != "county"
        ]

    def plan(self) -> None:
        for enterprise in self.world.enterprises.values():
            self._enterprise(enterprise)
        for plan in sorted(self.world.plans, key=lambda p: (p.created_on, p.name)):
            self._project(plan)

    # -- enterprises ----------------------------------------------------------------------

    def _enterprise(self, enterprise) -> None:
        """Registered three days before its first project (or some day of the last year)."""
        firsts = [p.created_on for p in self.world.plans if p.enterprise is enterprise]
        day = min(firsts) - datetime.timedelta(days=3) if firsts else self.b._days_ago(30, 365)
        self.line.add(office_time(self.rng, day, late=0), self._register, enterprise)

    def _register(self, enterprise) -> None:
        fields = enterprise_services.EDITABLE_FIELDS
        data = {f: getattr(enterprise, f) for f in fields}
        saved = enterprise_services.create_enterprise(self.bureau, self.world.district, data)
        # The planned instance (which the plans hold) becomes the saved row.
        enterprise.pk, enterprise.created_at = saved.pk, saved.created_at
        enterprise.version = getattr(saved, "version", None)
        enterprise._state.adding, enterprise._state.db = False, saved._state.db

    # -- one project ------------------------------------------------------------------------

    def _project(self, plan) -> None:
        rng, dates = self.rng, plan.dates()
        signed = dates.get(Stage.SIGNED)
        plan.team_since = None
        if plan.team:
            since = signed + datetime.timedelta(days=rng.randint(0, 7))
            plan.team_since = min(since, self.today - datetime.timedelta(days=1))
        creator = rng.choice(self.bureau_staff)
        steps = [(plan.created_on, lambda: self._create(plan, creator))]
        steps += self._stage_steps(plan)
        if plan.team:
            steps.append((plan.team_since, lambda: self._team(plan)))
        if plan.condition != Condition.NORMAL:
            actor = plan.team.get(TeamRole.SECRETARY) or self.bureau
            steps.append((plan.condition_since, lambda: self._condition(plan, actor)))
        if signed:
            funds = self._funds(plan)
            steps += [(day, self._call(services.record_funds, plan, *a)) for day, a in funds]
            steps += self._reports(plan, funds)
        chain(self.line, rng, steps)

    def _actor(self, plan, day: datetime.date):
        """Who records on ``day``: the project secretary once the team is named, else the
        bureau's staff."""
        if plan.team_since and day > plan.team_since:
            return plan.team[TeamRole.SECRETARY]
        return self.rng.choice(self.bureau_staff)

    def _call(self, service, plan, *args, **kwargs):
        return lambda: service(*args[:1], plan.project, *args[1:], **kwargs)

    def _create(self, plan, creator) -> None:
        w = self.world
        data = {
            "name": plan.name,
            "kind": plan.kind,
            "enterprise": plan.enterprise,
            "industry": w.industries[plan.industry["key"]] if plan.industry else None,
            "park": w.parks[plan.park_code],
            "level": plan.level,
            "source": plan.source,
            "total_investment": plan.total,
            "fixed_asset_investment": plan.fixed,
            "land_area": plan.land,
            "planned_start_on": plan.planned[0],
            "planned_completion_on": plan.planned[1],
            "planned_production_on": plan.planned[2],
            "designed_output": plan.output,
            "committed_tax": plan.tax,
            "committed_jobs": plan.jobs,
            "actual_tax": plan.actual_tax,
            "energy_commitment": plan.energy,
            "is_green_channel": plan.green,
            "designated_leader": plan.leader,
            "working_group": plan.group,
            "description": plan.description,
        }
        plan.project = services.create_project(creator, w.district, data, plan.paired)

    def _team(self, plan) -> None:
        rows = list(plan.team.items()) + [(TeamRole.LEADING_GROUP, u) for u in plan.leading_group]
        for role, user in rows:
            services.assign_team_member(self.bureau, plan.project, role, user)
        plan.project.__dict__.pop("_team_user_ids", None)

    def _condition(self, plan, actor) -> None:
        services.set_condition(actor, plan.project, plan.condition, plan.condition_reason)

    # -- stages and the library -------------------------------------------------------------

    def _file(self, plan, code: str, number: int, day: datetime.date) -> ContentFile:
        material = self.materials[code]
        if code == "site_photos":
            hue = zlib.crc32(plan.name.encode())
            return ContentFile(tiny_png(0.15 * number, hue=hue), name=f"{code}-v{number}.png")
        lines = [
            "Zhaoshang demo document (sample file)",
            f"Project: {plan.name}",
            f"Material: {material.name_en or code}",
            f"Version {number}, {day.isoformat()}",
        ]
        return ContentFile(tiny_pdf(lines), name=f"{code}-v{number}.pdf")

    def _upload(self, plan, library: dict, code: str, day, note: str = ""):
        """A step: add the next version of a material to the project's library."""
        library[code] = number = library.get(code, 0) + 1
        self.first_upload.setdefault((plan.name, code), day)
        who = self._actor(plan, day)

        def upload():
            f = self._file(plan, code, number, day)
            version = services.upload_document(who, plan.project, self.materials[code], f, note)
            self.b.written_files.append(version.file.name)

        return (day, upload)

    def _extras(self, plan, library, event, previous_on, reached) -> list:
        steps = []
        for stage_needed, code in EXTRA_MATERIALS:
            if stage_needed != event.to_stage or code in library or stage_needed in reached:
                continue
            if code == "energy_assessment" and plan.level == Level.GENERAL:
                continue
            if code == "safety_assessment" and (plan.industry or {}).get("key") != "chem":
                continue
            day = previous_on + (event.on - previous_on) * self.rng.uniform(0.3, 0.9)
            steps.append(self._upload(plan, library, code, day))
        return steps

    def _stage_steps(self, plan) -> list:
        """Every move after the first, with its evidence and the materials gathered before."""
        steps, library, reached = [], {}, set()
        previous_on = plan.events[0].on
        for event in plan.events[1:]:
            evidence = {}
            if not event.backward:
                steps += self._extras(plan, library, event, previous_on, reached)
                for code in STAGE_EVIDENCE.get(event.to_stage, ()):
                    if code not in library or event.to_stage in reached:
                        library[code] = library.get(code, 0) + 1
                        evidence[code] = library[code]
                        self.first_upload.setdefault((plan.name, code), event.on)
                reached.add(event.to_stage)
            previous_on = event.on
            steps.append((event.on, self._move(plan, event, evidence)))
        # Some documents were later replaced by a second version.
        for code, count in list(library.items()):
            if count == 1 and self.rng.random() < 0.08:
                first = self.first_upload[(plan.name, code)]
                day = first + datetime.timedelta(days=self.rng.randint(10, 120))
                if day < self.today:
                    notes = N.SECOND_VERSION_NOTES
                    note = notes[-1] if code == "business_license" else self.rng.choice(notes[:-1])
                    steps.append(self._upload(plan, library, code, day, note))
        return steps

    def _move(self, plan, event, evidence: dict):
        who = self._actor(plan, event.on)

        def move():
            files = {code: self._file(plan, code, n, event.on) for code, n in evidence.items()}
            moved = services.change_stage(
                who, plan.project, event.to_stage, event.on, event.reason, files
            )
            if files:  # (the evidence kept from before was counted when it was uploaded)
                self.b.written_files.extend(moved.evidence.values_list("file", flat=True))

        return move
