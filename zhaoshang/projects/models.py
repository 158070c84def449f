"""Projects (项目, SPEC §4): the registry, its stages, team, documents, funds and reports."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import clock
from zhaoshang.core.models import DistrictOwned, Timestamped, Versioned
from zhaoshang.core.querysets import ProjectScopedQuerySet
from zhaoshang.core.validators import NoMarkupValidator
from zhaoshang.projects.choices import (
    NEEDS_ATTENTION,
    STAGE_INDEX,
    Condition,
    FundsOrigin,
    FundsUse,
    Level,
    ProjectKind,
    Source,
    Stage,
    TeamRole,
)
from zhaoshang.projects.querysets import ProjectQuerySet

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": NON_NEGATIVE}


@functools.lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case, for search (each name's
    worked out once: a project is saved at every change)."""
    from pypinyin import Style, lazy_pinyin  # its phrase table loads in ~0.5 s: when needed

    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    full = "".join(lazy_pinyin(name, errors="default"))
    keep = lambda s: "".join(c for c in s.lower() if c.isalnum())  # noqa: E731
    return keep(initials)[:80], keep(full)[:300]


class MaterialType(models.Model):
    """A kind of material (营业执照, 可研报告, 施工许可 …), national; each is kept once per
    project and shared by every stage change and approval case that needs it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("material type")
        verbose_name_plural = _("material types")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Project(DistrictOwned, Versioned, Timestamped):
    """A signed or prospective investment project, or a park infrastructure project."""

    code = models.CharField(_("code"), max_length=20, editable=False)
    name = models.CharField(
        _("name"), max_length=120, validators=[NoMarkupValidator(_("Project name"))]
    )
    name_initials = models.CharField(max_length=80, editable=False, db_index=True)
    name_pinyin = models.CharField(max_length=300, editable=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.INVESTMENT
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("enterprise"),
    )
    industry = models.ForeignKey(
        "org.Industry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("industry"),
    )
    park = models.ForeignKey(
        "org.Park", on_delete=models.PROTECT, related_name="projects", verbose_name=_("park")
    )
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.GENERAL
    )
    source = models.CharField(
        _("promotion source"), max_length=20, choices=Source.choices, default=Source.DIRECT
    )
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **MONEY)
    fixed_asset_investment = models.DecimalField(
        _("fixed-asset investment (10k yuan)"), **MONEY, null=True, blank=True
    )
    land_area = models.DecimalField(
        _("land area (mu)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion_on = models.DateField(_("planned completion"), null=True, blank=True)
    planned_production_on = models.DateField(_("planned production"), null=True, blank=True)
    designed_output = models.DecimalField(
        _("designed annual output (10k yuan)"), **MONEY, null=True, blank=True
    )
    committed_tax = models.DecimalField(
        _("committed annual tax (10k yuan)"), **MONEY, null=True, blank=True
    )
    committed_jobs = models.PositiveIntegerField(_("committed jobs"), null=True, blank=True)
    actual_tax = models.DecimalField(
        _("actual annual tax (10k yuan)"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Tax paid in the last full year; the base of the per-mu tax."),
    )
    energy_commitment = models.TextField(_("energy-saving and emission commitments"), blank=True)
    is_green_channel = models.BooleanField(_("green channel"), default=False)
    designated_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designated_projects",
        verbose_name=_("designated contact leader"),
    )
    working_group = models.ForeignKey(
        "org.WorkingGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("working group"),
    )
    paired_departments = models.ManyToManyField(
        "org.Department",
        blank=True,
        related_name="paired_projects",
        verbose_name=_("paired departments"),
    )
    description = models.TextField(_("description"), blank=True)

    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD, db_index=True
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.NORMAL
    )
    condition_reason = models.TextField(_("condition reason"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, editable=False)
    registered_on = models.DateField(_("registered on"), null=True, blank=True, editable=False)
    land_delivered_on = models.DateField(
        _("land delivered on"), null=True, blank=True, editable=False
    )
    started_on = models.DateField(_("started on"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    production_on = models.DateField(_("in production on"), null=True, blank=True, editable=False)
    capacity_on = models.DateField(_("at capacity on"), null=True, blank=True, editable=False)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, editable=False)
    exited_on = models.DateField(_("exited on"), null=True, blank=True, editable=False)
    # The project's light, stored (issue 19.3): 2 red, 1 yellow, 0 green — the worst of its
    # signals (``monitoring.lights.project_light``), kept by ``monitoring.worst`` whenever
    # they change, so a district's projects are read worst first off an index
    # (``project_lit_order``). Never written by a save of the project (``save``).
    light_level = models.PositiveSmallIntegerField(_("light"), default=0, editable=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[paired_departments],
        excluded_fields=["name_initials", "name_pinyin", "updated_at", "version", "light_level"],
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="uniq_project_code")
        ]
        # The registry's default order within a district and its stage filter (issue 19.3:
        # the first page read off the index, not a sort of the whole district).
        indexes = [
            models.Index(fields=["district", "updated_at", "id"], name="project_district_updated"),
            models.Index(
                fields=["district", "stage", "updated_at", "id"], name="project_stage_updated"
            ),
            # The count and total investment of the page's heading read off this index alone
            # (and the sort by investment).
            models.Index(fields=["district", "total_investment"], name="project_investment"),
            # The same for a park committee's parks.
            models.Index(
                fields=["district", "park", "total_investment"], name="project_park_investment"
            ),
            # The funnel's projects and investment by stage read off this index alone, and
            # the bureau's home counting the projects signed or started this month off the
            # dates' (issue 19.3).
            models.Index(
                fields=["district", "stage", "total_investment"], name="project_stage_investment"
            ),
            models.Index(fields=["district", "signed_on"], name="project_signed"),
            models.Index(fields=["district", "started_on"], name="project_started"),
            # A district's delayed and stopped projects, the latest updated first (the homes'
            # projects needing attention: a park's few read off it, not found by walking the
            # whole district's by date). The conditions written in the statement
            # (``core.parts.LiteralIn``), as SQLite matches a partial index's only so.
            models.Index(
                fields=["district", "updated_at", "id"],
                condition=models.Q(condition__in=NEEDS_ATTENTION),
                name="project_attention",
            ),
            # The same for every district at once (the city's home; a province's 500,000
            # projects, nearly all normal, were walked by date to find eight).
            models.Index(
                fields=["updated_at", "id"],
                condition=models.Q(condition__in=NEEDS_ATTENTION),
                name="project_attention_all",
            ),
            # Every district's latest updated first (the city's home: the projects delayed
            # or stopped, read in that order until the card is full).
            models.Index(fields=["updated_at", "id"], name="project_updated"),
            # A district's newest first (the API's list, ordered by id): read off this index
            # rather than the primary key walked back through the other districts' projects
            # (issue 19.6: 3.7× at a province of 500,000 on PostgreSQL).
            models.Index(fields=["district", "id"], name="project_district_newest"),
            # A district's projects by name: the team's home reads those a person holding
            # many has no open milestone for in the order shown (``homes.team``).
            models.Index(fields=["district", "name", "id"], name="project_district_name"),
            # A district's projects worst light first, then the latest updated (the homes'
            # "my projects": read off this index until the card is full, not every lit
            # project of the district looked up and sorted).
            models.Index(
                fields=["district", "light_level", "updated_at", "id"], name="project_lit_order"
            ),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.name_initials, self.name_pinyin = pinyin_keys(self.name)
        # The stored light is the signals' (``monitoring.worst``): a new project has none
        # (nor has a copy of another), and a project loaded before they changed must not
        # write its old copy back.
        if self._state.adding or self.pk is None:
            self.light_level = 0
        elif kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = _saved_fields(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def stage_index(self) -> int:
        return STAGE_INDEX.get(self.stage, -1)

    @property
    def investment_intensity(self) -> Decimal | None:
        """投资强度 = fixed-asset investment ÷ land area (10k yuan per mu)."""
        if self.fixed_asset_investment is None or not self.land_area:
            return None
        return (self.fixed_asset_investment / self.land_area).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )

    @property
    def per_mu_tax(self) -> Decimal | None:
        """亩均税收 = actual tax ÷ land area (10k yuan per mu)."""
        if self.actual_tax is None or not self.land_area:
            return None
        return (self.actual_tax / self.land_area).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _saved_fields(project) -> list[str]:
    """What a save of a loaded project writes: its loaded fields but the stored light."""
    deferred = project.get_deferred_fields()
    return [
        f.name
        for f in project._meta.concrete_fields
        if not f.primary_key and f.attname not in deferred and f.name != "light_level"
    ]


class ProjectTeamMember(models.Model):
    """A member of the project team (项目经理制/项目秘书制): one manager (county-level),
    one secretary (section-level), one service officer (general cadre), and for a
    major project the members of its dedicated leading group."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_roles",
        verbose_name=_("person"),
    )
    role = models.CharField(_("team role"), max_length=20, choices=TeamRole.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role"],
                condition=~models.Q(role="leading_group"),
                name="uniq_single_team_role",
            ),
            models.UniqueConstraint(fields=["project", "role", "user"], name="uniq_team_member"),
        ]
        # The projects a person holds in a role (``held_by``) and whether they serve a given
        # project (``served_by``), read off this index alone.
        indexes = [models.Index(fields=["user", "project", "role"], name="team_member_held")]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user}"


def document_upload_to(instance, filename: str) -> str:
    return (
        f"projects/{instance.document.project_id}/{instance.document.material_type.code}/{filename}"
    )


class ProjectDocument(models.Model):
    """One material in the project library (资料库), kept once per project and versioned."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    material_type = models.ForeignKey(
        MaterialType, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["material_type__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "material_type"], name="uniq_project_material"
            )
        ]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")

    def __str__(self) -> str:
        return str(self.material_type)


class DocumentVersion(models.Model):
    """A version of a project document; earlier versions stay."""

    document = models.ForeignKey(ProjectDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)
    # An upload from the enterprise's service hall waits for the project's staff to confirm
    # it before it counts as stage evidence (staff uploads count at once).
    submitted_by_enterprise = models.BooleanField(_("uploaded by the enterprise"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="uniq_document_version")
        ]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def awaits_confirmation(self) -> bool:
        """An enterprise's upload the staff have not confirmed yet."""
        return self.submitted_by_enterprise and self.confirmed_at is None

    @property
    def counts_as_evidence(self) -> bool:
        """Staff uploads, and the enterprise's once confirmed, are stage evidence."""
        return not self.awaits_confirmation


class StageEvent(models.Model):
    """A recorded stage change: date, evidence, user, and the reason when going back."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    occurred_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    is_backward = models.BooleanField(_("backwards"), default=False)
    evidence = models.ManyToManyField(DocumentVersion, blank=True, related_name="stage_events")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)
    # 补录: history brought in from a district's own ledger (``services.backfill``), not
    # recorded move by move; ``import_batch`` is the upload it came from (None when the
    # service was called without one).
    is_imported = models.BooleanField(_("imported (补录)"), default=False)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import batch"),
    )

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "id"]
        # This month's stage moves, the latest first (the bureau's home).
        indexes = [models.Index(fields=["occurred_on", "id"], name="stage_event_on")]
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


class EvidenceOwedQuerySet(ProjectScopedQuerySet):
    def open(self):
        return self.filter(supplied_version__isnull=True)


class EvidenceOwed(models.Model):
    """A material an imported (补录) stage needs and the project did not have on file when
    it was imported (补录待补材料): an open to-do of the project's secretary until a version
    that counts as evidence lands in the library (``services.documents``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence_owed")
    stage_event = models.ForeignKey(
        StageEvent, on_delete=models.CASCADE, related_name="evidence_owed"
    )
    material_type = models.ForeignKey(
        MaterialType, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    supplied_version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplied as"),
    )
    supplied_on = models.DateField(_("supplied on"), null=True, blank=True)

    objects = EvidenceOwedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "stage_event__occurred_on", "material_type__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage_event", "material_type"], name="uniq_evidence_owed"
            )
        ]
        indexes = [models.Index(fields=["project", "material_type"], name="evidence_owed_lookup")]
        verbose_name = _("evidence owed")
        verbose_name_plural = _("evidence owed")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.material_type_id}"

    @property
    def is_open(self) -> bool:
        return self.supplied_version_id is None


class FundsEntry(models.Model):
    """Funds in place (到位资金): an amount that arrived, by origin and use.

    The funds in place of a project are the sum of its entries, so they never go down,
    except by a correction (更正): a negative entry, dated in the month it is made, that
    names its reason. The entries it corrects stay as they were recorded."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds")
    received_on = models.DateField(_("date"))
    # Negative only for a correction (the service checks it; see the docstring).
    amount = models.DecimalField(_("amount (10k yuan)"), max_digits=14, decimal_places=2)
    origin = models.CharField(_("origin"), max_length=20, choices=FundsOrigin.choices)
    use = models.CharField(_("use"), max_length=20, choices=FundsUse.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_correction = models.BooleanField(_("correction"), default=False)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("funds in place entry")
        verbose_name_plural = _("funds in place")

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"


class MonthlyReport(models.Model):
    """Monthly progress (月度进度) of a signed project, due by the 5th of the next month.

    The cumulative investment never goes down from one month to the next, and a filed
    month's figures are not changed, except by a correction (更正) that names its reason:
    the report keeps the reason and the cumulative figure it goes back from
    (``cumulative_before``: the month before's, or its own as first filed); the earlier
    reports stay as they were filed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    investment_this_month = models.DecimalField(_("investment this month (10k yuan)"), **MONEY)
    investment_cumulative = models.DecimalField(_("cumulative investment (10k yuan)"), **MONEY)
    funds_this_month = models.DecimalField(
        _("funds in place this month (10k yuan)"), **MONEY, default=Decimal("0")
    )
    # Once the project produces (投产): people employed, output and tax of the month.
    jobs = models.PositiveIntegerField(_("people employed"), null=True, blank=True)
    output_this_month = models.DecimalField(
        _("output this month (10k yuan)"), **MONEY, null=True, blank=True
    )
    tax_this_month = models.DecimalField(
        _("tax this month (10k yuan)"), **MONEY, null=True, blank=True
    )
    image_progress = models.TextField(_("image progress"))
    problems = models.TextField(_("problems met"), blank=True)
    is_correction = models.BooleanField(_("correction"), default=False)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    cumulative_before = models.DecimalField(
        _("cumulative investment before the correction (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = ProjectScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="uniq_monthly_report")
        ]
        indexes = [
            # The reports of one month (``owing_report``: those not filed last month).
            models.Index(fields=["month", "project"], name="report_month_project"),
        ]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"

    @property
    def due_on(self):
        """The 5th of the following month."""
        year, month = (
            (self.month.year + 1, 1)
            if self.month.month == 12
            else (self.month.year, self.month.month + 1)
        )
        return self.month.replace(year=year, month=month, day=5)

    @property
    def is_late(self) -> bool:
        return timezone.localdate(self.submitted_at) > self.due_on


def photo_upload_to(instance, filename: str) -> str:
    return f"projects/{instance.report.project_id}/monthly/{instance.report.month:%Y-%m}/{filename}"


class MonthlyReportPhoto(models.Model):
    """A photo of the site attached to a monthly report (形象进度照片)."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_upload_to)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return self.caption or self.image.name
