"""Organisation and reference data (SPEC §1–§2): districts, departments, zones, parks,
industries, working groups and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhaoshang.core import roles
from zhaoshang.core.models import DistrictOwned
from zhaoshang.core.pinyin import PinyinLabelled
from zhaoshang.core.querysets import DistrictScopedQuerySet
from zhaoshang.org import logins  # noqa: F401 - a log-in writes no change-history row
from zhaoshang.org.choices import (
    DepartmentKind,
    IndustryCategory,
    IndustryClassLevel,
    Rank,
    WorkingGroupKind,
)


class DistrictQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.sees_all_districts(user):
            return self.all()
        return self.filter(pk=user.district_id)


class District(models.Model):
    """A district government (行政区): the tenant every record belongs to."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    city = models.CharField(_("city"), max_length=60, blank=True)
    # The day the district began to run its work on the platform (上线日期). Nobody is
    # docked in the assessment for a duty that fell due before it: a ledger brought in
    # from the district's spreadsheets (补录) tells its history, not the platform's.
    go_live_on = models.DateField(_("go-live date"), null=True, blank=True)

    objects = DistrictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Department(PinyinLabelled, DistrictOwned):
    """A department or unit (部门/单位) that serves projects."""

    PINYIN_FROM = ("short_name", "name")

    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.GOVERNMENT
    )
    head = models.CharField(_("head"), max_length=40, blank=True)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    # The pinyin search keys of its label (core.pinyin), kept in step on save.
    pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["pinyin"])

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="uniq_department_name")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name or self.name


class Zone(DistrictOwned):
    """A zone (区) of the "两区六园" layout, containing parks."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=8, decimal_places=2)
    outline = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_zone_code")]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class Park(DistrictOwned):
    """A park (园) inside a zone; park committees manage its land and projects."""

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="parks", verbose_name=_("zone")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=8, decimal_places=2)
    outline = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True)
    committee = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parks",
        verbose_name=_("park committee"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="uniq_park_code")]
        verbose_name = _("park")
        verbose_name_plural = _("parks")

    def __str__(self) -> str:
        return self.name


class IndustryClass(models.Model):
    """A class of GB/T 4754-2017 (国民经济行业分类); national, shared by all districts."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=IndustryClassLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("GB/T 4754 industry class")
        verbose_name_plural = _("GB/T 4754 industry classes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Industry(DistrictOwned):
    """One industry of the district's "3+3" plan (three leading, three emerging)."""

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(
        _("category"),
        max_length=10,
        choices=IndustryCategory.choices,
        default=IndustryCategory.OTHER,
    )
    gbt_class = models.ForeignKey(
        IndustryClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("GB/T 4754-2017 class"),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="uniq_industry_name")
        ]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class WorkingGroup(DistrictOwned):
    """The leading group (招商引资领导小组) and its working groups."""

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkingGroupKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
        verbose_name=_("parent group"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("industry"),
    )
    lead = models.ForeignKey(
        "org.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group leader"),
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="working_groups", verbose_name=_("departments")
    )
    office = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
        help_text=_(
            "For the leading group: the department its office (领导小组办公室) sits in. "
            "An escalation step without a person goes to the office's staff."
        ),
    )

    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["id"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(DistrictScopedQuerySet):
    pass


class ZhaoshangUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(PinyinLabelled, AbstractUser):
    """A person using the platform: government staff of one district, a city-level user,
    or an enterprise's contact."""

    real_name = models.CharField(_("real name"), max_length=40, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("district"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("department"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("park"),
        help_text=_("For park committee users: the park they manage."),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("enterprise"),
        help_text=_("For enterprise users: the enterprise whose portal account this is."),
    )
    rank = models.CharField(_("rank"), max_length=12, choices=Rank.choices, blank=True)
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_principal_leader = models.BooleanField(
        _("principal leader"),
        default=False,
        help_text=_(
            "One of the district's principal leaders (区委、区政府主要领导): leaders in "
            "charge forward receipts and problems to them."
        ),
    )

    # The pinyin search keys of its label (core.pinyin), kept in step on save.
    pinyin = models.CharField(max_length=600, blank=True, default="", editable=False)
    # … and of its position, which people's labels show after the name.
    title_pinyin = models.CharField(max_length=300, blank=True, default="", editable=False)

    PINYIN_FROM = ("real_name", "first_name", "last_name", "username")
    PINYIN_EXTRA = {"title_pinyin": "title"}

    objects = ZhaoshangUserManager()
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "pinyin", "title_pinyin"]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username
