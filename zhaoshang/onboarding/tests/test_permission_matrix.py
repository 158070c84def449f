"""Every person of the world × every route of the ledger import × a batch of their district
and one of the other district.

The table of the generator (``zhaoshang/testing/matrix.py``): the registry editors (the bureau
and the administrators) of a district use the pages over that district's batches; everybody
else is refused (403), and another district's batch does not exist for them (404).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse

from zhaoshang.core.models import ImportBatch
from zhaoshang.onboarding.tests.files import ledger_xlsx
from zhaoshang.onboarding.views import EXAMPLE
from zhaoshang.testing.matrix import EDITORS, Matrix, own_district
from zhaoshang.testing.shared import built_once_per_module

# route name -> (kind of object in the URL, what the user needs, method)
ROUTES: dict[str, tuple[str | None, str, str]] = {
    "onboarding:index": (None, "edit", "GET"),
    "onboarding:go_live": (None, "edit", "POST"),
    "onboarding:template": (None, "edit", "GET"),
    "onboarding:example": (None, "edit", "GET"),
    "onboarding:batch": ("batch", "edit", "GET"),
    "onboarding:sheets": ("batch", "edit", "GET"),
    "onboarding:columns": ("batch", "edit", "GET"),
    "onboarding:values": ("batch", "edit", "GET"),
    "onboarding:check": ("batch", "edit", "GET"),
    "onboarding:progress": ("batch", "edit", "GET"),
    "onboarding:problems": ("batch", "edit", "GET"),
    "onboarding:confirm": ("batch", "edit", "POST"),
    "onboarding:undo": ("batch", "edit", "POST"),
}
TARGETS = ("in", "other")

# A sheet of projects mapped by hand (the matrix does not depend on the suggestions).
MAPPING = {
    "sheets": [
        {
            "name": "项目台账",
            "kind": "projects",
            "header_row": 2,
            "columns": [None, "name", "park", "total_investment", None, None],
            "units": {"total_investment": "100m"},
            "values": {},
        }
    ],
    "checked": False,
}


def expected(who: str, route: str, target: str | None) -> int:
    kind, _needs, method = ROUTES[route]
    if who not in EDITORS:
        return 403  # the enterprise's portal boundary, the city (read-only) and the others
    if target is not None and not own_district(who, target):
        return 404
    if method == "POST":
        return 400  # an empty go-live date; a batch being mapped is neither confirmed nor undone
    if route == "onboarding:example" and not EXAMPLE.exists():
        return 404
    return 200


def make_batch(world, district, user) -> ImportBatch:
    batch = ImportBatch(
        district=district, kind="workbook", file_name="台账.xlsx", created_by=user, mapping=MAPPING
    )
    batch.file.save("台账.xlsx", ContentFile(ledger_xlsx()), save=False)
    batch.problems = [["项目台账", 5, "所属园区", "食品园", "不是本区的园区。"]]
    batch.problem_count = 1
    batch.save()
    return batch


def build(world):
    return {
        "batch": {
            "in": make_batch(world, world.district_a, world.user_bureau),
            "other": make_batch(world, world.district_b, world.user_bureau_b),
        }
    }


globals().update(built_once_per_module(build))


def url(objects, route: str, target: str | None) -> str:
    kind = ROUTES[route][0]
    if route == "onboarding:template":
        return reverse(route, args=["enterprises"])
    if kind is None:
        return reverse(route)
    return reverse(route, args=[objects[kind][target].pk])


def unchanged(objects, route: str, target: str | None):
    """Nothing a refused or an empty request sends changes the batch."""
    batch = objects["batch"][target] if target else None
    before = batch.status if batch is not None else None

    def check(who, status):
        if batch is not None:
            batch.refresh_from_db()
            assert batch.status == before, who

    return check


globals().update(
    Matrix(
        ROUTES,
        expected,
        url,
        namespaces=["onboarding"],
        targets=TARGETS,
        check=unchanged,
    ).tests()
)
