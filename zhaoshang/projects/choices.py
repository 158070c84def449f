from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    NEGOTIATING = "negotiating", _("Negotiating")
    PREREVIEW = "prereview", _("Pre-review")
    SIGNED = "signed", _("Signed")
    REGISTERED = "registered", _("Registered")
    LAND_DELIVERED = "land_delivered", _("Land delivered")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    PRODUCTION = "production", _("In production")
    CAPACITY = "capacity", _("At designed capacity")
    TERMINATED = "terminated", _("Terminated")
    EXITED = "exited", _("Exited")


# The main line, in order. TERMINATED and EXITED are exits from it.
STAGE_ORDER: list[str] = [
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.PREREVIEW,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.LAND_DELIVERED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCTION,
    Stage.CAPACITY,
]
STAGE_INDEX = {stage: i for i, stage in enumerate(STAGE_ORDER)}
EXIT_STAGES = (Stage.TERMINATED, Stage.EXITED)
# Stages whose date is kept on the project (the fixed API fields of SPEC §19).
STAGE_DATE_FIELDS: dict[str, str] = {
    Stage.SIGNED: "signed_on",
    Stage.REGISTERED: "registered_on",
    Stage.LAND_DELIVERED: "land_delivered_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCTION: "production_on",
    Stage.CAPACITY: "capacity_on",
    Stage.TERMINATED: "terminated_on",
    Stage.EXITED: "exited_on",
}
# Stages before signing, from which talks can end (已终止).
PRE_SIGNING = (Stage.LEAD, Stage.NEGOTIATING, Stage.PREREVIEW)
# Stages a signed project is "active" in: monthly reports are due (SPEC §4).
REPORTING_STAGES = tuple(STAGE_ORDER[STAGE_INDEX[Stage.SIGNED] :])
# Stages a project produces in: its monthly report gives output and tax.
PRODUCING_STAGES = (Stage.PRODUCTION, Stage.CAPACITY)

# The evidence (material type codes) each stage needs before a project may enter it.
STAGE_EVIDENCE: dict[str, tuple[str, ...]] = {
    Stage.LEAD: (),
    Stage.NEGOTIATING: (),
    Stage.PREREVIEW: (
        "industry_plan_opinion",
        "eia_preliminary_opinion",
        "land_preliminary_opinion",
    ),
    Stage.SIGNED: ("investment_agreement",),
    Stage.REGISTERED: ("business_license",),
    Stage.LAND_DELIVERED: ("land_transfer_contract", "land_red_line_map"),
    Stage.STARTED: ("construction_permit", "construction_contract", "site_photos"),
    Stage.COMPLETED: ("completion_acceptance",),
    Stage.PRODUCTION: ("special_acceptance", "trial_production_record"),
    Stage.CAPACITY: ("capacity_statistics",),
    Stage.TERMINATED: (),
    Stage.EXITED: ("clearance_decision",),
}


class ProjectKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment project")
    INFRASTRUCTURE = "infrastructure", _("Park infrastructure project")


class Level(models.TextChoices):
    MAJOR = "major", _("Major")
    KEY = "key", _("Key")
    GENERAL = "general", _("General")


class Source(models.TextChoices):
    BUSINESS_REFERRAL = "business_referral", _("Referral by investors (以商招商)")
    RESIDENT = "resident", _("Resident promotion office (驻点招商)")
    EXPO = "expo", _("Trade fair (展会招商)")
    SECOND_ROUND = "second_round", _("Second-round promotion (二次招商)")
    INDUSTRY_CHAIN = "industry_chain", _("Industry-chain promotion (产业链招商)")
    DIRECT = "direct", _("Direct approach")
    GOVERNMENT = "government", _("Government investment")
    OTHER = "other", _("Other")


class Condition(models.TextChoices):
    NORMAL = "normal", _("Normal")
    DELAYED = "delayed", _("Delayed")
    STOPPED = "stopped", _("Stopped")


# The conditions of a project needing attention (every one but normal): the homes' list and
# the partial indexes it is read off (``project_attention``, ``project_attention_all``).
NEEDS_ATTENTION = [Condition.DELAYED.value, Condition.STOPPED.value]


class TeamRole(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    SECRETARY = "secretary", _("Project secretary")
    SERVICE_OFFICER = "service_officer", _("Service officer")
    LEADING_GROUP = "leading_group", _("Leading group member")


# Rank rules of the 项目经理制/项目秘书制: who may hold each team role.
TEAM_ROLE_RANK = {
    TeamRole.MANAGER: "county",
    TeamRole.SECRETARY: "section",
    TeamRole.SERVICE_OFFICER: "general",
}
SINGLE_TEAM_ROLES = (TeamRole.MANAGER, TeamRole.SECRETARY, TeamRole.SERVICE_OFFICER)
# The places by which a person holds a project (项目经理制/项目秘书制): the registry's "mine",
# the team's home.
HELD_ROLES = (TeamRole.MANAGER, TeamRole.SECRETARY)


class FundsOrigin(models.TextChoices):
    OUT_OF_PROVINCE = "out_of_province", _("Outside the province")
    IN_PROVINCE = "in_province", _("In the province, outside the city")
    IN_CITY = "in_city", _("In the city")


class FundsUse(models.TextChoices):
    FIXED_ASSETS = "fixed_assets", _("Fixed assets")
    WORKING_CAPITAL = "working_capital", _("Working capital")
