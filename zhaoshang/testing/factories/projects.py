"""Projects, one factory per stage (like data-hub-api's per-stage investment projects):
a project at 签约, 注册, 供地, 开工, 竣工, 投产, 达产, 终止 or 退出 has the date of every stage
it passed (``STAGE_DATE_FIELDS``), the evidence each of those stages needs
(``STAGE_EVIDENCE``: a document version per material) and a recorded stage change per
stage, dated as the services would have dated them. ``stage_changes=False`` leaves out
the changes and their documents when a test needs only the dates.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from zhaoshang.core import clock
from zhaoshang.projects.choices import (
    STAGE_DATE_FIELDS,
    STAGE_EVIDENCE,
    STAGE_INDEX,
    STAGE_ORDER,
    Level,
    Stage,
)
from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.org import (
    DistrictFactory,
    IndustryFactory,
    ParkFactory,
    UserFactory,
)

D = datetime.date
# The day each stage was reached, for a project that went the whole way by the world's
# frozen today (Monday 15 June 2026).
STAGE_DATES: dict[str, datetime.date] = {
    Stage.SIGNED: D(2026, 1, 5),
    Stage.REGISTERED: D(2026, 2, 2),
    Stage.LAND_DELIVERED: D(2026, 3, 2),
    Stage.STARTED: D(2026, 4, 1),
    Stage.COMPLETED: D(2026, 5, 6),
    Stage.PRODUCTION: D(2026, 5, 18),
    Stage.CAPACITY: D(2026, 6, 1),
    Stage.TERMINATED: D(2026, 6, 1),
    Stage.EXITED: D(2026, 6, 8),
}
# Before signing, the stages have no date of their own: their changes are recorded on these.
TALKS_DATES = {
    Stage.NEGOTIATING: D(2025, 11, 3),
    Stage.PREREVIEW: D(2025, 12, 1),
}


def stages_passed(stage: str) -> list[str]:
    """The stages a project at ``stage`` went through after the lead, in order."""
    if stage == Stage.TERMINATED:
        return [Stage.NEGOTIATING, Stage.TERMINATED]
    if stage == Stage.EXITED:
        return [*STAGE_ORDER[1 : STAGE_INDEX[Stage.PRODUCTION] + 1], Stage.EXITED]
    return list(STAGE_ORDER[1 : STAGE_INDEX[stage] + 1])


class ProjectFactory(DjangoModelFactory):
    """A project at a lead (招商线索); the stage factories below take it further."""

    class Meta:
        model = "projects.Project"
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"ZS-T-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    enterprise = factory.SubFactory(EnterpriseFactory, district=factory.SelfAttribute("..district"))
    industry = factory.SubFactory(IndustryFactory, district=factory.SelfAttribute("..district"))
    park = factory.SubFactory(ParkFactory, district=factory.SelfAttribute("..district"))
    level = Level.GENERAL
    total_investment = Decimal("10000")
    fixed_asset_investment = Decimal("8000")
    land_area = Decimal("50")
    stage = Stage.LEAD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        stage = kwargs.get("stage", Stage.LEAD)
        for passed in stages_passed(stage):
            field = STAGE_DATE_FIELDS.get(passed)
            if field:
                kwargs.setdefault(field, STAGE_DATES[passed])
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def stage_changes(self, create, extracted, **kwargs):
        """The recorded changes of every stage passed, each with its evidence."""
        if not create or extracted is False:
            return
        from zhaoshang.projects.models import StageEvent

        recorder = kwargs.get("by") or UserFactory(district=self.district)
        previous = Stage.LEAD
        for passed in stages_passed(self.stage):
            field = STAGE_DATE_FIELDS.get(passed)
            occurred_on = getattr(self, field) if field else TALKS_DATES[passed]
            event = StageEvent.objects.create(
                project=self,
                from_stage=previous,
                to_stage=passed,
                occurred_on=occurred_on,
                recorded_by=recorder,
            )
            event.evidence.set(
                DocumentVersionFactory(
                    document__project=self,
                    document__material_type__code=code,
                    uploaded_by=recorder,
                )
                for code in STAGE_EVIDENCE[passed]
            )
            previous = passed


def _stage_factory(stage: str, name: str):
    return type(name, (ProjectFactory,), {"stage": stage, "__doc__": f"A project at {stage}."})


LeadProjectFactory = ProjectFactory
NegotiatingProjectFactory = _stage_factory(Stage.NEGOTIATING, "NegotiatingProjectFactory")
PrereviewProjectFactory = _stage_factory(Stage.PREREVIEW, "PrereviewProjectFactory")
SignedProjectFactory = _stage_factory(Stage.SIGNED, "SignedProjectFactory")
RegisteredProjectFactory = _stage_factory(Stage.REGISTERED, "RegisteredProjectFactory")
LandDeliveredProjectFactory = _stage_factory(Stage.LAND_DELIVERED, "LandDeliveredProjectFactory")
StartedProjectFactory = _stage_factory(Stage.STARTED, "StartedProjectFactory")
CompletedProjectFactory = _stage_factory(Stage.COMPLETED, "CompletedProjectFactory")
ProductionProjectFactory = _stage_factory(Stage.PRODUCTION, "ProductionProjectFactory")
CapacityProjectFactory = _stage_factory(Stage.CAPACITY, "CapacityProjectFactory")
TerminatedProjectFactory = _stage_factory(Stage.TERMINATED, "TerminatedProjectFactory")
ExitedProjectFactory = _stage_factory(Stage.EXITED, "ExitedProjectFactory")

STAGE_FACTORIES = {
    Stage.LEAD: LeadProjectFactory,
    Stage.NEGOTIATING: NegotiatingProjectFactory,
    Stage.PREREVIEW: PrereviewProjectFactory,
    Stage.SIGNED: SignedProjectFactory,
    Stage.REGISTERED: RegisteredProjectFactory,
    Stage.LAND_DELIVERED: LandDeliveredProjectFactory,
    Stage.STARTED: StartedProjectFactory,
    Stage.COMPLETED: CompletedProjectFactory,
    Stage.PRODUCTION: ProductionProjectFactory,
    Stage.CAPACITY: CapacityProjectFactory,
    Stage.TERMINATED: TerminatedProjectFactory,
    Stage.EXITED: ExitedProjectFactory,
}


class MaterialTypeFactory(DjangoModelFactory):
    """A material of the library; the seeded ones are found by their code."""

    class Meta:
        model = "projects.MaterialType"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"material{n}")
    name = factory.Sequence(lambda n: f"材料{n}")


class ProjectDocumentFactory(DjangoModelFactory):
    class Meta:
        model = "projects.ProjectDocument"
        django_get_or_create = ("project", "material_type")

    project = factory.SubFactory(ProjectFactory)
    material_type = factory.SubFactory(MaterialTypeFactory)


class DocumentVersionFactory(DjangoModelFactory):
    """A version of a project's document, with its (small PDF) file."""

    class Meta:
        model = "projects.DocumentVersion"
        exclude = ("content",)

    document = factory.SubFactory(ProjectDocumentFactory)
    number = factory.LazyAttribute(lambda v: v.document.versions.count() + 1)
    content = b"%PDF-1.4 test"
    file = factory.LazyAttribute(lambda v: ContentFile(v.content, name="a.pdf"))
    original_name = "a.pdf"
    size = factory.LazyAttribute(lambda v: len(v.content))
    sha256 = factory.LazyAttribute(lambda v: hashlib.sha256(v.content).hexdigest())
    uploaded_by = factory.SubFactory(
        UserFactory, district=factory.SelfAttribute("..document.project.district")
    )


class MonthlyReportFactory(DjangoModelFactory):
    """A project's monthly progress report (May 2026 unless told)."""

    class Meta:
        model = "projects.MonthlyReport"

    project = factory.SubFactory(SignedProjectFactory)
    month = D(2026, 5, 1)
    investment_this_month = Decimal("1")
    investment_cumulative = Decimal("1")
    image_progress = "土建施工"
    submitted_by = factory.SubFactory(
        UserFactory, district=factory.SelfAttribute("..project.district")
    )
    submitted_at = factory.LazyFunction(clock.now)
