"""Excel import of projects (SPEC §16): every row through ``create_project``.

A project names its enterprise by credit code (or by its exact name when no code is
given); the enterprise must be registered in the district already, so a district imports
its enterprises first. Imported projects start in the first stage: each later stage needs
its evidence, which is recorded on the project page (``change_stage``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core import roles
from zhaoshang.core.imports import (
    Choice,
    Column,
    Date,
    Importer,
    Lookup,
    Number,
    Ref,
    RefList,
    Row,
    Text,
    WholeNumber,
    YesNo,
    cell_text,
    normalize_key,
)
from zhaoshang.enterprises.creditcode import normalize as normalize_code
from zhaoshang.enterprises.imports import CreditCode
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.org.models import Department, Industry, Park, User, WorkingGroup
from zhaoshang.projects import services
from zhaoshang.projects.choices import Level, ProjectKind, Source
from zhaoshang.projects.models import Project

_MONEY = Number(14, 2)


class ProjectImporter(Importer):
    """Projects of the user's district, in the stage “lead”, with their codes assigned."""

    kind = "projects"
    model = Project
    sheet_title = gettext_lazy("Projects")
    event_verb = "project.imported"
    columns = (
        Column("name", gettext_lazy("Name"), Text(120), required=True, width=30),
        Column(
            "kind",
            gettext_lazy("Kind"),
            Choice(ProjectKind),
            help=gettext_lazy("Empty means an investment project."),
        ),
        Column(
            "enterprise",
            gettext_lazy("Enterprise"),
            Text(120),
            help=gettext_lazy(
                "The investing enterprise, registered in the district; its exact name is enough when the credit code is empty."
            ),
            width=30,
        ),
        Column(
            "credit_code",
            gettext_lazy("Credit code"),
            CreditCode(),
            help=gettext_lazy("The credit code of the investing enterprise."),
            width=22,
        ),
        Column(
            "industry",
            gettext_lazy("Industry"),
            Ref(
                lambda imp: Industry.objects.filter(district=imp.district).order_by(
                    "sort_order", "id"
                ),
                keys=lambda i: [i.name],
                not_found=gettext_lazy("No industry “%(value)s” in your district."),
                label=lambda i: i.name,
            ),
        ),
        Column(
            "park",
            gettext_lazy("Park"),
            Ref(
                lambda imp: Park.objects.filter(district=imp.district).order_by("id"),
                keys=lambda p: [p.name, p.code],
                not_found=gettext_lazy("No park “%(value)s” in your district."),
                ambiguous=gettext_lazy("Several parks are named “%(value)s”; use the park code."),
                label=lambda p: p.name,
                hint=gettext_lazy("The park's name or code."),
            ),
            required=True,
            width=20,
        ),
        Column(
            "level", gettext_lazy("Level"), Choice(Level), help=gettext_lazy("Empty means general.")
        ),
        Column("source", gettext_lazy("Source"), Choice(Source), width=20),
        Column(
            "total_investment",
            gettext_lazy("Total investment (10k yuan)"),
            _MONEY,
            required=True,
        ),
        Column("fixed_asset_investment", gettext_lazy("Fixed-asset investment (10k yuan)"), _MONEY),
        Column("land_area", gettext_lazy("Land area (mu)"), Number(10, 2)),
        Column("planned_start_on", gettext_lazy("Planned start"), Date(), width=12),
        Column("planned_completion_on", gettext_lazy("Planned completion"), Date(), width=12),
        Column("planned_production_on", gettext_lazy("Planned production"), Date(), width=12),
        Column("designed_output", gettext_lazy("Designed annual output (10k yuan)"), _MONEY),
        Column("committed_tax", gettext_lazy("Committed annual tax (10k yuan)"), _MONEY),
        Column("committed_jobs", gettext_lazy("Committed jobs"), WholeNumber()),
        Column(
            "energy_commitment",
            gettext_lazy("Energy-saving and emission commitments"),
            Text(2000),
            width=24,
        ),
        Column("is_green_channel", gettext_lazy("Green channel"), YesNo(), width=10),
        Column(
            "working_group",
            gettext_lazy("Working group"),
            Ref(
                lambda imp: WorkingGroup.objects.filter(district=imp.district).order_by("id"),
                keys=lambda g: [g.name],
                not_found=gettext_lazy("No working group “%(value)s” in your district."),
                label=lambda g: g.name,
            ),
            width=22,
        ),
        Column(
            "designated_leader",
            gettext_lazy("Designated contact leader"),
            Ref(
                lambda imp: (
                    User.objects.filter(
                        district=imp.district, groups__name="leader", is_active=True
                    )
                    .distinct()
                    .order_by("id")
                ),
                keys=lambda u: [u.username, u.real_name],
                not_found=gettext_lazy("No district leader “%(value)s” in your district."),
                ambiguous=gettext_lazy("Several leaders are named “%(value)s”; use the user name."),
                label=lambda u: u.real_name or u.username,
                hint=gettext_lazy("A district leader's name or user name."),
            ),
        ),
        Column(
            "paired_departments",
            gettext_lazy("Paired departments"),
            RefList(
                lambda imp: Department.objects.filter(district=imp.district).order_by(
                    "sort_order", "id"
                ),
                keys=lambda d: [d.name, d.short_name],
                not_found=gettext_lazy("No department “%(value)s” in your district."),
                ambiguous=gettext_lazy(
                    "Several departments are named “%(value)s”; use the full name."
                ),
                label=lambda d: d.name,
            ),
            width=24,
        ),
        Column("description", gettext_lazy("Description"), Text(4000), width=30),
    )
    notes = (
        gettext_lazy(
            "Imported projects start in the stage “Lead”; record each later stage with its evidence on the project page."
        ),
        gettext_lazy("The project code (ZS-YYYY-NNNN) is assigned on import."),
        gettext_lazy(
            "The enterprise must be registered in the district first: import the enterprises before their projects."
        ),
        gettext_lazy("A project with the same name and enterprise as a registered one is refused."),
    )

    def allowed(self) -> bool:
        return roles.can_edit_registry(self.user, self.district.pk)

    def prepare(self, rows: list[Row]) -> None:
        super().prepare(rows)
        codes, names = set(), set()
        for row in rows:
            if row.raw.get("credit_code") is not None:
                codes.add(normalize_code(cell_text(row.raw["credit_code"])))
            if row.raw.get("enterprise") is not None:
                names.add(cell_text(row.raw["enterprise"]).strip())
        enterprises = (
            list(
                Enterprise.objects.filter(district=self.district).filter(
                    Q(credit_code__in=codes) | Q(name__in=names)
                )
            )
            if codes or names
            else []
        )
        self._enterprise_by_code = {e.credit_code: e for e in enterprises}
        self._enterprise_by_name = Lookup(
            enterprises,
            keys=lambda e: [e.name],
            not_found=gettext_lazy(
                "No enterprise “%(value)s” is registered in your district; register or import it first."
            ),
            ambiguous=gettext_lazy(
                "Several enterprises are named “%(value)s”; give the credit code."
            ),
        )

    def clean_row(self, row: Row) -> None:
        """One enterprise from the two columns: the credit code decides, the name must agree."""
        code = row.values.pop("credit_code", None)
        name = row.values.pop("enterprise", None)
        enterprise = None
        if code:
            enterprise = self._enterprise_by_code.get(code)
            if enterprise is None:
                raise ValidationError(
                    {
                        "credit_code": _(
                            "No enterprise with this credit code is registered in your district; register or import it first."
                        )
                    }
                )
            if name and normalize_key(name) != normalize_key(enterprise.name):
                raise ValidationError(
                    {
                        "enterprise": _(
                            "The credit code belongs to “%(name)s”, not to this enterprise."
                        )
                        % {"name": enterprise.name}
                    }
                )
        elif name:
            try:
                enterprise = self._enterprise_by_name.get(name)
            except ValidationError as exc:
                raise ValidationError({"enterprise": exc.messages})
        row.values["enterprise"] = enterprise

    def check_rows(self, rows):
        """The same project (name and enterprise) twice in the file or already registered."""

        def key(name, enterprise_id):
            return normalize_key(name), enterprise_id

        first: dict[tuple, int] = {}
        for row in rows:
            enterprise = row.values.get("enterprise")
            k = key(row.values["name"], enterprise.pk if enterprise else None)
            if k in first:
                row.ok = False
                yield self.problem(
                    row,
                    "name",
                    _("The same project (name and enterprise) also appears in row %(row)d.")
                    % {"row": first[k]},
                )
            else:
                first[k] = row.number
        registered = {
            key(name, enterprise_id): code
            for name, enterprise_id, code in Project.objects.filter(
                district=self.district, name__in=[r.values["name"] for r in rows]
            )
            .order_by()
            .values_list("name", "enterprise_id", "code")
        }
        for row in rows:
            enterprise = row.values.get("enterprise")
            code = registered.get(key(row.values["name"], enterprise.pk if enterprise else None))
            if code and row.ok:
                row.ok = False
                yield self.problem(
                    row,
                    "name",
                    _("This project is already registered as %(code)s.") % {"code": code},
                )

    def create(self, values):
        departments = values.pop("paired_departments", ())
        return services.create_project(
            self.user, self.district, values, paired_departments=departments
        )

    def summary(self, created):
        return {"codes": [p.code for p in created]}

    def reference_lists(self):
        enterprises = list(
            Enterprise.objects.filter(district=self.district)
            .order_by("name", "id")
            .values_list("name", "credit_code")
        )
        return [
            (_("Enterprise"), [name for name, _code in enterprises]),
            (_("Credit code"), [code for _name, code in enterprises]),
        ]
