"""factory_boy factories of the project's records, by app, for tests that need records
the world does not have. Each writes rows as the services would have left them (dated,
with the evidence a stage needs), not through the services."""

from zhaoshang.testing.factories.enterprises import EnterpriseFactory
from zhaoshang.testing.factories.org import (
    DepartmentFactory,
    DistrictFactory,
    IndustryFactory,
    ParkFactory,
    UserFactory,
    ZoneFactory,
)
from zhaoshang.testing.factories.projects import (
    STAGE_FACTORIES,
    CapacityProjectFactory,
    CompletedProjectFactory,
    DocumentVersionFactory,
    ExitedProjectFactory,
    LandDeliveredProjectFactory,
    LeadProjectFactory,
    MonthlyReportFactory,
    NegotiatingProjectFactory,
    PrereviewProjectFactory,
    ProductionProjectFactory,
    ProjectFactory,
    RegisteredProjectFactory,
    SignedProjectFactory,
    StartedProjectFactory,
    TerminatedProjectFactory,
)

__all__ = [
    "STAGE_FACTORIES",
    "CapacityProjectFactory",
    "CompletedProjectFactory",
    "DepartmentFactory",
    "DistrictFactory",
    "DocumentVersionFactory",
    "EnterpriseFactory",
    "ExitedProjectFactory",
    "IndustryFactory",
    "LandDeliveredProjectFactory",
    "LeadProjectFactory",
    "MonthlyReportFactory",
    "NegotiatingProjectFactory",
    "ParkFactory",
    "PrereviewProjectFactory",
    "ProductionProjectFactory",
    "ProjectFactory",
    "RegisteredProjectFactory",
    "SignedProjectFactory",
    "StartedProjectFactory",
    "TerminatedProjectFactory",
    "UserFactory",
    "ZoneFactory",
]
