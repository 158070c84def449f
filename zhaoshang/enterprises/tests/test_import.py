"""Excel import of enterprises (SPEC §16): template round trip, all-or-nothing, the report."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.models import DomainEvent
from zhaoshang.enterprises import services
from zhaoshang.enterprises.creditcode import make_credit_code
from zhaoshang.enterprises.imports import EnterpriseImporter
from zhaoshang.enterprises.models import Enterprise

IMPORT = reverse("enterprises:import")


def code(n: int, prefix: str = "91510100MA8") -> str:
    return make_credit_code(f"{prefix}{n:06d}")


def label(key: str) -> str:
    with translation.override("zh-hans"):
        return str(
            EnterpriseImporter.columns[[c.key for c in EnterpriseImporter.columns].index(key)].label
        )


def upload(book: openpyxl.Workbook, name: str = "企业.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def template(client) -> openpyxl.Workbook:
    response = client.get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fill(book: openpyxl.Workbook, rows: list[dict]) -> openpyxl.Workbook:
    """Write rows (column key → value) under the template's header, by header label."""
    sheet = book.worksheets[0]
    position = {cell.value: cell.column for cell in sheet[1]}
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=r, column=position[label(key)], value=value)
    return book


def test_template_round_trip(client_for, world):
    client = client_for("bureau")
    book = template(client)
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:3] == [label("name"), label("credit_code"), label("origin")]
    with translation.override("zh-hans"):
        local, abroad = "本地", "境外"
    rows = [
        {"name": "成都导入科技有限公司", "credit_code": code(1), "origin": local},
        {
            "name": "香港导入投资有限公司",
            "credit_code": make_credit_code("Y1510100MA8000002").lower(),
            "origin": abroad,
            "legal_representative": "张三",
            "registered_capital": 1234.5,
            "contact_email": "a@example.com",
        },
        {"name": "导入食品有限公司", "credit_code": code(3), "origin": "local"},
    ]
    before = Enterprise.objects.count()
    response = client.post(IMPORT, {"file": upload(fill(book, rows))})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Enterprise.objects.count() == before + 3
    hk = Enterprise.objects.get(name="香港导入投资有限公司")
    assert hk.credit_code == make_credit_code("Y1510100MA8000002")
    assert hk.origin == "abroad" and str(hk.registered_capital) == "1234.50"
    assert hk.district == world.district_a
    # One summarising event besides the services' own per-record events.
    summary = DomainEvent.objects.get(verb="enterprise.imported")
    assert summary.district_id == world.district_a.pk and summary.actor == world.user_bureau
    assert summary.data["count"] == 3 and summary.data["file"] == "企业.xlsx"
    assert DomainEvent.objects.filter(verb="enterprise.created").count() == 3
    # The result page lists what was created, once.
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert hk.get_absolute_url() in page.content.decode()
    assert hk.get_absolute_url() not in client.get(IMPORT).content.decode()


def test_a_file_with_bad_rows_loads_nothing_and_names_row_column_and_reason(client_for, world):
    client = client_for("bureau")
    existing = world.enterprise1_a
    bad_check = code(11)[:-1] + ("0" if code(11)[-1] != "0" else "1")
    rows = [
        {"name": "好企业一", "credit_code": code(10), "origin": "本地"},  # row 2: fine
        {"name": "坏校验位", "credit_code": bad_check, "origin": "本地"},  # row 3
        {"credit_code": code(12), "origin": "本地"},  # row 4: no name
        {"name": "重复代码", "credit_code": code(10), "origin": "本地"},  # row 5: dup of row 2
        {"name": "已登记", "credit_code": existing.credit_code, "origin": "本地"},  # row 6
        {"name": "来源不明", "credit_code": code(13), "origin": "火星"},  # row 7
        {
            "name": "资本有误",
            "credit_code": code(14),
            "origin": "本地",
            "registered_capital": "五百万",
            "contact_email": "not-an-email",
        },  # row 8
    ]
    before = Enterprise.objects.count()
    response = client.post(IMPORT, {"file": upload(fill(template(client), rows))})
    assert response.status_code == 400
    assert Enterprise.objects.count() == before
    assert not DomainEvent.objects.filter(verb__in=["enterprise.imported", "enterprise.created"])
    problems = {(p.row, p.column) for p in response.context["result"].problems}
    assert problems == {
        (3, label("credit_code")),
        (4, label("name")),
        (5, label("credit_code")),
        (6, label("credit_code")),
        (7, label("origin")),
        (8, label("registered_capital")),
        (8, label("contact_email")),
    }
    html = response.content.decode()
    assert existing.name in html  # "already registered for …"
    # The same problems as a workbook.
    report = client.get(reverse("enterprises:import_report"))
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    listed = {(r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert listed == problems
    reasons = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(reasons)


def test_a_good_file_after_a_bad_one_clears_the_report(client_for):
    client = client_for("bureau")
    bad = fill(template(client), [{"name": "x", "credit_code": "123", "origin": "本地"}])
    assert client.post(IMPORT, {"file": upload(bad)}).status_code == 400
    good = fill(template(client), [{"name": "x", "credit_code": code(20), "origin": "本地"}])
    assert client.post(IMPORT, {"file": upload(good)}).status_code == 302
    assert client.get(reverse("enterprises:import_report")).status_code == 302


def test_only_check_saves_nothing(client_for):
    client = client_for("bureau")
    book = fill(template(client), [{"name": "只检查", "credit_code": code(30), "origin": "本地"}])
    response = client.post(IMPORT, {"file": upload(book), "dry_run": "on"})
    assert response.status_code == 200
    assert response.context["result"].ok and response.context["result"].dry_run
    assert not Enterprise.objects.filter(name="只检查").exists()
    assert not DomainEvent.objects.filter(verb="enterprise.imported").exists()


def test_an_empty_post_or_a_file_that_is_not_xlsx_is_refused(client_for):
    client = client_for("bureau")
    before = Enterprise.objects.count()
    assert client.post(IMPORT, {}).status_code == 400
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("企业.csv", "名称,信用代码\n甲,1\n".encode())}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    fake = client.post(IMPORT, {"file": SimpleUploadedFile("企业.xlsx", b"%PDF-1.4 x")})
    assert fake.status_code == 400
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("who", ["department", "leader", "park", "supervisor", "city"])
def test_only_registry_editors_import(client_for, who):
    client = client_for(who)
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("enterprises:import_template")).status_code == 403
    book = openpyxl.Workbook()
    book.active.append(["名称", "信用代码", "来源地"])
    book.active.append(["越权企业", code(40), "本地"])
    assert client.post(IMPORT, {"file": upload(book)}).status_code == 403
    assert not Enterprise.objects.filter(name="越权企业").exists()


def test_the_list_shows_the_import_button_to_editors_only(client_for):
    assert (
        'data-testid="import-button"'
        in client_for("bureau").get(reverse("enterprises:list")).content.decode()
    )
    assert (
        'data-testid="import-button"'
        not in client_for("leader").get(reverse("enterprises:list")).content.decode()
    )


def test_the_credit_code_of_another_district_is_no_clash(client_for, world):
    """Districts keep their own registries: district b's code may be registered in a."""
    client = client_for("bureau")
    other = world.enterprise1_b.credit_code
    book = fill(template(client), [{"name": "跨区企业", "credit_code": other, "origin": "本地"}])
    assert client.post(IMPORT, {"file": upload(book)}).status_code == 302
    assert Enterprise.objects.get(name="跨区企业").district == world.district_a


def _book(rows: int, start: int) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["名称", "信用代码", "来源地"])
    for i in range(rows):
        book.active.append([f"计数企业{start + i}", code(start + i, "91510100MA9"), "本地"])
    return upload(book)


def test_queries_grow_only_by_the_service_per_row(world):
    """Lookups and checks cost the same for 3 rows as for 6: only the service's own
    queries grow with the rows."""
    user, district = world.user_bureau, world.district_a
    for n in (998, 999):  # the second call, once the user's roles are cached
        with CaptureQueriesContext(connection) as one:
            services.create_enterprise(
                user,
                district,
                {"name": "单建", "credit_code": code(n, "91510100MA9"), "origin": "local"},
            )
    per_row = len(one.captured_queries)

    # A first import fills the process's one-time caches (content types and the like), which
    # the measured runs would otherwise pay for depending on the tests run before them.
    assert EnterpriseImporter(user, district).run(_book(1, 50)).ok
    counts = []
    for rows, start in ((3, 100), (6, 200)):
        importer = EnterpriseImporter(user, district)
        upload_file = _book(rows, start)
        with CaptureQueriesContext(connection) as ctx:
            result = importer.run(upload_file)
        assert result.ok, result.problems
        counts.append(len(ctx.captured_queries))
    assert counts[1] - counts[0] == 3 * per_row


def test_an_office_list_of_enterprises_maps_by_its_chinese_headers_and_words(world):
    from zhaoshang.core.imports.mapping import suggest_columns, suggest_values

    headers = ["序号", "企业名称", "统一社会信用代码", "企业来源", "注册资本（万元）", "法人代表"]
    headers += ["注册地址", "联系人", "联系电话", "备注"]
    keys = suggest_columns(EnterpriseImporter, headers)
    assert keys == [
        None,
        "name",
        "credit_code",
        "origin",
        "registered_capital",
        "legal_representative",
        "address",
        "contact_name",
        "contact_phone",
        "note",
    ]
    importer = EnterpriseImporter(world.user_bureau, world.district_a)
    origin = next(c for c in EnterpriseImporter.columns if c.key == "origin")
    assert suggest_values(importer, origin, ["本地", "省外", "境外", "省内"]) == {
        "本地": "local",
        "省外": "out_of_province",
        "境外": "abroad",
        "省内": "in_province",
    }
