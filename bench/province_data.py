"""The province's generated districts for ``python -m bench province`` (bench/province.py):
each like bench/scan.py's district — a project with three approval cases (a fifth overdue, a
tenth due within a day) and an agreement with three obligations (about half past due) — with
a tenth as many enterprises as projects, ten departments and five parks, written with
``COPY``."""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

# --- generating the province -----------------------------------------------------------------


class Rows:
    """``COPY`` rows of one model from a template instance: every column is converted once,
    by Django's own field (``pre_save`` + ``get_db_prep_save``, as ``bulk_create`` does);
    each row then changes only its varying columns, given as plain values."""

    def __init__(self, model, **template):
        from django.db import connection

        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        instance = model(**template)
        self.base = [
            f.get_db_prep_save(f.pre_save(instance, True), connection) for f in self.fields
        ]
        self.position = {f.attname: i for i, f in enumerate(self.fields)}

    def reserve(self, n: int) -> int:
        """The first of ``n`` ids taken from the table's sequence."""
        from django.db import connection

        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, n],
            )
            return cursor.fetchone()[0] - n + 1

    def copy(self, varying: tuple[str, ...], values) -> int:
        from django.db import connection

        slots = [self.position[name] for name in varying]
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN') as out:
                for value in values:
                    row = list(self.base)
                    for slot, v in zip(slots, value, strict=True):
                        row[slot] = v
                    out.write_row(row)
                    count += 1
        return count


def _small_rows(k: int, today: datetime.date):
    """One generated district's registry (bench/scan.py's): the district, a zone, five
    parks, ten departments, a user, three approval items."""
    from zhaoshang.approvals.models import ApprovalItem
    from zhaoshang.org.models import Department, District, Park, User, Zone

    district = District.objects.create(code=f"p{k:03d}", name=f"省测{k:03d}区", city="省测市")
    zone = Zone.objects.create(district=district, code="Z1", name="园区一", area_km2=10)
    parks = Park.objects.bulk_create(
        Park(district=district, zone=zone, code=f"P{i}", name=f"产业园{i}", area_km2=5)
        for i in range(1, 6)
    )
    departments = Department.objects.bulk_create(
        Department(district=district, name=f"部门{i}", short_name=f"部{i}") for i in range(10)
    )
    user = User.objects.create(username=f"p{k:03d}", district=district, real_name=f"省测{k}")
    items = ApprovalItem.objects.bulk_create(
        ApprovalItem(
            district=district,
            code=f"B-{i}",
            name=f"事项{i}",
            department=departments[i],
            phase="works_planning",
        )
        for i in range(3)
    )
    return district, parks, departments, user, items


def generate(args, per_district: int, today: datetime.date) -> dict:
    """The generated districts, in bulk; returns {district code: id}."""
    from django.db import connection, transaction

    from zhaoshang.agreements.models import Agreement, Obligation
    from zhaoshang.approvals.models import ApprovalCase
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.org.models import District
    from zhaoshang.projects.models import Project

    rng = random.Random(args.seed)
    existing = District.objects.count()
    new = args.districts - existing
    with transaction.atomic():
        registry = [_small_rows(k, today) for k in range(1, new + 1)]
        d0, parks0, deps0, user0, items0 = registry[0]
        enterprises = Rows(Enterprise, district=d0, name="企业", credit_code="x", origin="domestic")
        projects = Rows(
            Project,
            district=d0,
            code="x",
            name="项目",
            name_initials="xm",
            name_pinyin="xiangmu",
            park=parks0[0],
            total_investment=Decimal(10000),
            signed_on=datetime.date(2025, 1, 1),
        )
        cases = Rows(
            ApprovalCase,
            district=d0,
            project_id=0,
            item=items0[0],
            department=deps0[0],
            registered_on=today - datetime.timedelta(days=90),
            registered_by=user0,
            time_limit=10,
            time_limit_unit="workday",
            status="accepted",
            accepted_on=today - datetime.timedelta(days=90),
            due_on=today,
        )
        agreements = Rows(
            Agreement,
            district=d0,
            project_id=0,
            number="x",
            signed_on=datetime.date(2025, 1, 1),
            government_party="区政府",
            enterprise_party="基准企业",
            contracted_investment=Decimal(10000),
            created_by=user0,
        )
        obligations = Rows(
            Obligation,
            district=d0,
            agreement_id=0,
            party="enterprise",
            kind="funds",
            title="义务",
            due_on=today,
        )
        n_projects = new * per_district
        n_enterprises = new * max(1, per_district // 10)
        first = {
            "enterprise": enterprises.reserve(n_enterprises),
            "project": projects.reserve(n_projects),
            "case": cases.reserve(3 * n_projects),
            "agreement": agreements.reserve(n_projects),
            "obligation": obligations.reserve(3 * n_projects),
        }
        per_enterprise = per_district // max(1, per_district // 10)

        def enterprise_rows():
            pk = first["enterprise"]
            for district, *_ in registry:
                for i in range(max(1, per_district // 10)):
                    code = f"91{district.pk:06d}{i:08d}"[:18].ljust(18, "0")
                    yield pk, district.pk, f"省测企业{district.code}-{i}", code
                    pk += 1

        def project_rows():
            pk, ent = first["project"], first["enterprise"]
            for district, parks, *_ in registry:
                for i in range(per_district):
                    signed = datetime.date(2025, 1, 1) + datetime.timedelta(
                        days=rng.randint(0, 690)
                    )
                    yield (
                        pk,
                        district.pk,
                        f"S-{i:06d}",
                        f"省测项目{district.code}-{i}",
                        parks[i % len(parks)].pk,
                        ent + min(i // per_enterprise, per_district // 10 - 1),
                        signed,
                    )
                    pk += 1
                ent += max(1, per_district // 10)

        def case_rows():
            pk, project = first["case"], first["project"]
            for district, _parks, _deps, _user, items in registry:
                for _ in range(per_district):
                    for item in items:
                        r = rng.random()
                        days = (
                            rng.randint(-40, -1)
                            if r < 0.2
                            else 1
                            if r < 0.3
                            else rng.randint(5, 60)
                        )
                        yield (
                            pk,
                            district.pk,
                            project,
                            item.pk,
                            item.department_id,
                            _user.pk,
                            today + datetime.timedelta(days=days),
                        )
                        pk += 1
                    project += 1

        def agreement_rows():
            pk, project = first["agreement"], first["project"]
            for district, _parks, _deps, user, _items in registry:
                for i in range(per_district):
                    yield pk, district.pk, project, f"XY-{district.code}-{i}", user.pk
                    pk += 1
                    project += 1

        def obligation_rows():
            pk, agreement = first["obligation"], first["agreement"]
            for district, _parks, deps, _user, _items in registry:
                for _ in range(per_district):
                    for kind, party in (
                        ("funds", "enterprise"),
                        ("stage", "enterprise"),
                        ("service", "department"),
                    ):
                        yield (
                            pk,
                            district.pk,
                            agreement,
                            party,
                            deps[5].pk if party == "department" else None,
                            kind,
                            f"{kind}义务",
                            Decimal(3000) if kind == "funds" else None,
                            "started" if kind == "stage" else "",
                            today + datetime.timedelta(days=rng.randint(-300, 300)),
                        )
                        pk += 1
                    agreement += 1

        written = {}
        for label, rows, varying, values in (
            (
                "enterprises",
                enterprises,
                ("id", "district_id", "name", "credit_code"),
                enterprise_rows(),
            ),
            (
                "projects",
                projects,
                ("id", "district_id", "code", "name", "park_id", "enterprise_id", "signed_on"),
                project_rows(),
            ),
            (
                "approval cases",
                cases,
                (
                    "id",
                    "district_id",
                    "project_id",
                    "item_id",
                    "department_id",
                    "registered_by_id",
                    "due_on",
                ),
                case_rows(),
            ),
            (
                "agreements",
                agreements,
                ("id", "district_id", "project_id", "number", "created_by_id"),
                agreement_rows(),
            ),
            (
                "obligations",
                obligations,
                (
                    "id",
                    "district_id",
                    "agreement_id",
                    "party",
                    "department_id",
                    "kind",
                    "title",
                    "target_amount",
                    "target_stage",
                    "due_on",
                ),
                obligation_rows(),
            ),
        ):
            started = time.perf_counter()
            written[label] = rows.copy(varying, values)
            print(
                f"  {label}: {written[label]:,} rows in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {district.code: district.pk for district, *_ in registry}
