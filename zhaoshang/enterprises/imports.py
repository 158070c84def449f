"""Excel import of enterprises (SPEC §16): every row through ``create_enterprise``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.imports import Choice, Column, Email, Importer, Money, Parser, Text
from zhaoshang.core.roles import can_edit_registry
from zhaoshang.enterprises import services
from zhaoshang.enterprises.choices import Origin
from zhaoshang.enterprises.creditcode import validate_credit_code
from zhaoshang.enterprises.models import Enterprise


class CreditCode(Parser):
    """A unified social credit code, checked and normalised (GB 32100-2015)."""

    def __call__(self, value, importer):
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: an all-digit code typed into a number
            # cell has already lost its last digits.
            raise ValidationError(
                _(
                    "The cell holds a number, which Excel has rounded; format the column as text and type the code again."
                )
            )
        return validate_credit_code(str(value))

    def hint(self):
        return _(
            "18 characters, GB 32100-2015; the check character is verified. Format the cells as text."
        )


class EnterpriseImporter(Importer):
    """Enterprises of the user's district; a credit code already registered is refused."""

    kind = "enterprises"
    model = Enterprise
    sheet_title = gettext_lazy("Enterprises")
    event_verb = "enterprise.imported"
    columns = (
        Column(
            "name",
            gettext_lazy("Name"),
            Text(120),
            required=True,
            width=32,
            aliases=("企业名称", "企业", "单位名称", "公司名称", "投资主体", "投资方"),
        ),
        Column(
            "credit_code",
            gettext_lazy("Credit code"),
            CreditCode(),
            required=True,
            help=gettext_lazy("The unified social credit code (统一社会信用代码)."),
            width=22,
            aliases=("统一社会信用代码", "信用代码", "社会信用代码", "组织机构代码"),
        ),
        Column(
            "origin",
            gettext_lazy("Origin"),
            Choice(
                Origin,
                aliases={
                    Origin.LOCAL: ("本地", "本区", "本市", "区内", "市内", "本地企业"),
                    Origin.IN_PROVINCE: ("省内", "省内市外", "外市", "省内外市"),
                    Origin.OUT_OF_PROVINCE: ("省外", "外省", "国内省外"),
                    Origin.ABROAD: ("境外", "国外", "外资", "港澳台", "海外"),
                },
            ),
            required=True,
            aliases=("来源地", "企业来源", "来源", "投资来源地", "资本来源", "籍贯"),
            help=gettext_lazy(
                "Where the investor comes from; counts in the funds-in-place statistics."
            ),
        ),
        Column(
            "legal_representative",
            gettext_lazy("Legal representative"),
            Text(40),
            aliases=("法定代表人", "法人代表", "法人"),
        ),
        Column(
            "registered_capital",
            gettext_lazy("Registered capital (10k yuan)"),
            Money(14),
            aliases=("注册资本", "注册资金"),
        ),
        Column(
            "address",
            gettext_lazy("Address"),
            Text(200),
            width=30,
            aliases=("注册地址", "地址", "企业地址", "住所"),
        ),
        Column(
            "contact_name",
            gettext_lazy("Contact person"),
            Text(40),
            aliases=("联系人", "企业联系人"),
        ),
        Column(
            "contact_phone",
            gettext_lazy("Contact phone"),
            Text(30),
            aliases=("联系电话", "电话", "手机", "联系方式"),
        ),
        Column(
            "contact_email",
            gettext_lazy("Contact e-mail"),
            Email(254),
            width=24,
            aliases=("电子邮箱", "邮箱", "电子邮件"),
        ),
        Column("note", gettext_lazy("Note"), Text(2000), width=30, aliases=("备注",)),
    )
    notes = (gettext_lazy("A credit code already registered in the district is refused."),)

    def allowed(self) -> bool:
        return can_edit_registry(self.user, self.district.pk)

    def check_rows(self, rows):
        """The same credit code twice in the file, or already registered (one query)."""
        first: dict[str, int] = {}
        for row in rows:
            code = row.values["credit_code"]
            if code in first:
                row.ok = False
                yield self.problem(
                    row,
                    "credit_code",
                    _("This credit code also appears in row %(row)d.") % {"row": first[code]},
                )
            else:
                first[code] = row.number
        registered = dict(
            Enterprise.objects.filter(district=self.district, credit_code__in=list(first))
            .order_by()
            .values_list("credit_code", "name")
        )
        for row in rows:
            name = registered.get(row.values["credit_code"])
            if name is not None and row.ok:
                row.ok = False
                yield self.problem(
                    row,
                    "credit_code",
                    _("This credit code is already registered for “%(name)s”.") % {"name": name},
                )

    def create(self, values):
        return services.create_enterprise(self.user, self.district, values)

    def summary(self, created):
        return {"credit_codes": [e.credit_code for e in created]}
