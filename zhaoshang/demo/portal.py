"""The demo enterprise's service hall (企业服务端), from ``data/portal.json``: 锦川宏达重工
(the ``enterprise`` account) has three contacts — one joined by an invitation, one removed
when he left the company, one invited by e-mail who has not joined yet. Its contacts raised
three needs (one answered and rated 满意; one answered and rated 不满意, which the
supervision office followed up; one waiting for the department), lodged a complaint about
the tax bureau's efficiency (found partly substantiated, rated 基本满意), rated the approval
cases it saw closed (the newest still waits for its rating) and the last
inspection visit, filed November's progress report of its first project (the second's is
due today) and sent two documents for the project library (one confirmed, one waiting).
Everything goes through the services, by the contact, on its day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from zhaoshang.approvals.models import ApprovalCase
from zhaoshang.approvals.services.rating import rate_case
from zhaoshang.complaints import services as complaints
from zhaoshang.complaints.choices import Outcome
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.base import DAY, Part, act, acting_for, counter, files_written
from zhaoshang.demo.files import tiny_pdf
from zhaoshang.demo.names import load
from zhaoshang.demo.replay import office_time
from zhaoshang.enterprises import contacts
from zhaoshang.enterprises.models import ContactInvitation
from zhaoshang.inspections.models import InspectionVisit
from zhaoshang.inspections.services import rate_visit
from zhaoshang.projects.choices import PRODUCING_STAGES, Stage
from zhaoshang.projects.models import DocumentVersion, MaterialType, MonthlyReport, Project
from zhaoshang.projects.services.documents import confirm_document, upload_document
from zhaoshang.projects.services.progress import submit_monthly_report
from zhaoshang.ratings.choices import Score
from zhaoshang.ratings.models import Rating
from zhaoshang.ratings.services import follow_up
from zhaoshang.service.services import needs as needs_services
from zhaoshang.service.services.enterprise import raise_enterprise_need, rate_need

DATA = load("portal")


class PortalBuilder(Part):
    """Adds the demo enterprise's own use of the service hall to the first district."""

    SEED = 2026_12

    def build(self) -> None:
        world = self.worlds[0]
        self.world, self.contact = world, world.role_users[Role.ENTERPRISE]
        self.enterprise, self.people = self.contact.enterprise, [self.contact]
        self.bureau, self.supervisor = (
            world.role_users[Role.BUREAU],
            world.role_users[Role.SUPERVISOR],
        )
        own = Project.objects.filter(enterprise=self.enterprise).order_by("pk")
        self.projects = {
            "producing": next(p for p in own if p.stage in PRODUCING_STAGES),
            "building": next(p for p in own if p.stage == Stage.STARTED),
        }
        self._contacts()
        self.line.run()  # the contacts first: they act in the stories below
        for n, need in enumerate(DATA["needs"]):
            self._need(n, need)
        self._complaint(DATA["complaint"])
        self._cases()
        self._visit()
        self._report(DATA["report"])
        with files_written(self.builder.written_files, DocumentVersion):
            for document in DATA["documents"]:
                self._document(document)
            self.line.run()

    def day(self, working_days_ago: int) -> datetime.date:
        return self.cal.before(self.today, working_days_ago)

    def at(self, working_days_ago: int, fn, *args, **kwargs) -> None:
        self.line.add(office_time(self.rng, self.day(working_days_ago)), fn, *args, **kwargs)

    # -- contacts ------------------------------------------------------------------------------

    def _contacts(self) -> None:
        for person in DATA["contacts"]:
            self.at(person["invited"], self._invite, person)

    def _invite(self, person: dict) -> None:
        data = {"name": person["name"], "mobile": person.get("mobile", "")}
        data["email"] = person.get("email", "")
        invitation, _link = contacts.invite_contact(self.bureau, self.enterprise, data)
        if "joined" not in person:
            return
        joined = office_time(self.rng, self.day(person["joined"]))

        def join():
            contact = contacts.accept_invitation(invitation, N.PASSWORD, N.PASSWORD)
            self.people.append(contact)
            if "removed" in person:
                self.at(
                    person["removed"],
                    contacts.remove_contact,
                    self.bureau,
                    self.enterprise,
                    contact,
                )

        self.line.add(joined, join)

    # -- needs, the complaint ------------------------------------------------------------------

    def _need(self, n: int, spec: dict) -> None:
        project = self.projects[spec["project"]]
        who = self.people[min(spec["by"], len(self.people) - 1)]
        department = self.world.departments[spec["department"]]
        held: dict = {}

        def raise_it():
            held["it"] = raise_enterprise_need(
                who,
                project,
                category=spec["category"],
                title=spec["title"],
                description=spec["description"],
                department=department,
            )

        steps = [(self.day(spec["raised"]), raise_it)]
        if "resolved" in spec:
            handler, resolution = acting_for(self.world, department), spec["resolution"]
            score, reason = spec["score"], spec.get("reason", "")
            steps += [
                (
                    self.day(spec["resolved"]),
                    lambda: needs_services.resolve_need(handler, held["it"], resolution),
                ),
                (
                    self.day(spec["resolved"] - 1),
                    lambda: held.update(
                        rating=rate_need(who, held["it"], score=score, reason=reason)
                    ),
                ),
            ]
        if "followup" in spec:
            note, founded = spec["note"], spec["founded"]
            steps.append(
                (
                    self.day(spec["followup"]),
                    lambda: follow_up(
                        self.supervisor, held["rating"], note=note, confirmed=founded
                    ),
                )
            )
        self.chain(steps)

    def _complaint(self, spec: dict) -> None:
        department, held = self.world.departments[spec["department"]], {}
        handler = acting_for(self.world, department)
        lodged = spec["lodged"]

        def lodge():
            held["it"] = complaints.receive_complaint(
                self.contact,
                district=self.world.district,
                enterprise=self.enterprise,
                department=department,
                channel="portal",
                category=spec["category"],
                text=spec["text"],
                project=self.projects["producing"],
                contact_name=self.contact.display_name,
                contact_phone=self.contact.phone or self.enterprise.contact_phone,
                contact_consent=True,
            )

        supervisor, answer = self.supervisor, spec["answer"]
        steps = [
            (lodged, lodge),
            (lodged - 1, act(held, complaints.dispatch_complaint, supervisor)),
            (lodged - 1, act(held, complaints.accept_complaint, handler)),
            (
                lodged - 4,
                act(
                    held,
                    complaints.answer_complaint,
                    handler,
                    department_view=Outcome.PARTLY,
                    account=spec["account"],
                ),
            ),
            (
                lodged - 5,
                act(
                    held,
                    complaints.verify_complaint,
                    supervisor,
                    outcome=Outcome.PARTLY,
                    finding_reason=spec["finding"],
                    answer=answer,
                ),
            ),
            (lodged - 7, act(held, complaints.rate_complaint, self.contact, rating=spec["score"])),
        ]
        self.chain([(self.day(ago), fn) for ago, fn in steps])

    # -- ratings of cases and visits -----------------------------------------------------------

    def _cases(self) -> None:
        """The closed cases were rated a day or two after they closed — mostly 满意 — except
        the newest, which waits."""
        done = ApprovalCase.objects.filter(
            project__enterprise=self.enterprise, done_on__isnull=False
        ).order_by("done_on", "pk")
        cases = list(done)[:-1]
        for n, case in enumerate(cases):
            score = Score.FAIRLY if n % 5 == 3 else Score.SATISFIED
            day = self.cal.after(case.done_on, 1 + n % 2)
            if day >= self.today:
                continue
            self.line.add(
                office_time(self.rng, day), rate_case, self.contact, case, score=score, reason=""
            )

    def _visit(self) -> None:
        visit = (
            InspectionVisit.objects.filter(
                enterprise=self.enterprise, carried_out_on__isnull=False, rating=""
            )
            .order_by("-carried_out_on")
            .first()
        )
        if visit is not None:
            day = self.cal.after(visit.carried_out_on, 2)
            if day < self.today:
                self.line.add(
                    office_time(self.rng, day),
                    rate_visit,
                    self.contact,
                    visit,
                    rating=Score.FAIRLY,
                    comment="检查人员态度较好，但现场检查时间偏长，影响了生产。",
                )

    # -- reporting and documents ---------------------------------------------------------------

    def _report(self, spec: dict) -> None:
        project = self.projects[spec["project"]]
        month = (self.today.replace(day=1) - DAY).replace(day=1)
        before = MonthlyReport.objects.filter(project=project, month__lt=month).order_by("-month")
        cumulative = before.values_list("investment_cumulative", flat=True).first() or 0
        # What is left of the total, at most: the project is nearly fully invested.
        room = (project.total_investment - cumulative) / 2
        investment = min(Decimal(spec["investment"]), room).quantize(Decimal("0.01"))
        data = {"month": month, "investment_this_month": max(investment, Decimal("0.00"))}
        data["investment_cumulative"] = cumulative + data["investment_this_month"]
        data |= {"funds_this_month": Decimal(spec["funds"]), "jobs": spec["jobs"]}
        data |= {
            "output_this_month": Decimal(spec["output"]),
            "tax_this_month": Decimal(spec["tax"]),
        }
        data |= {"image_progress": spec["progress"], "problems": spec["problems"]}
        self.at(spec["filed"], submit_monthly_report, self.contact, project, data)

    def _document(self, spec: dict) -> None:
        project = self.projects[spec["project"]]
        material = MaterialType.objects.get(code=spec["material"])
        held: dict = {}

        def upload():
            lines = [spec["project"], spec["material"], "Hongda Heavy Industry"]
            file = SimpleUploadedFile(spec["name"], tiny_pdf(lines), "application/pdf")
            held["it"] = upload_document(self.contact, project, material, file)

        self.at(spec["uploaded"], upload)
        if "confirmed" in spec:
            secretary = self.world.role_users[Role.BUREAU]
            self.at(spec["confirmed"], lambda: confirm_document(secretary, held["it"]))


portal_counts = counter(("contact invitations", ContactInvitation), ("ratings", Rating))
