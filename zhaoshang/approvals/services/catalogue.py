"""The approval catalogue (审批事项目录): its items and their prerequisites, a directed
acyclic graph (a cycle is refused, named item by item)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.approvals import permissions
from zhaoshang.approvals.models import ApprovalItem
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import lock_for_update, require


def find_cycle(
    item_id: int, prerequisite_ids: Iterable[int], edges: dict[int, set[int]]
) -> list[int] | None:
    """A cycle the new prerequisites would close, as item ids from ``item_id`` back to it."""
    graph = {k: set(v) for k, v in edges.items()}
    graph[item_id] = set(prerequisite_ids)
    path: list[int] = []
    state: dict[int, int] = {}

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    return visit(item_id)


def prerequisite_edges(district_id: int) -> dict[int, set[int]]:
    through = ApprovalItem.prerequisites.through
    edges: dict[int, set[int]] = {}
    for src, dst in through.objects.filter(from_approvalitem__district_id=district_id).values_list(
        "from_approvalitem_id", "to_approvalitem_id"
    ):
        edges.setdefault(src, set()).add(dst)
    return edges


def check_prerequisites(item: ApprovalItem, prerequisites: Iterable[ApprovalItem]) -> None:
    """Refuse prerequisites of another district, the item itself, or any that would close
    a cycle in the district's graph — the cycle named, item by item. Raises a
    ValidationError without a field (callers put it on theirs)."""
    prerequisites = list(prerequisites)
    for other in prerequisites:
        if other.district_id != item.district_id:
            raise ValidationError(_("This record belongs to another district."))
        if item.pk is not None and other.pk == item.pk:
            raise ValidationError(_("An item cannot be its own prerequisite."))
    if item.pk is None:
        return  # nothing can point at a new item yet
    cycle = find_cycle(item.pk, [p.pk for p in prerequisites], prerequisite_edges(item.district_id))
    if cycle:
        names = dict(ApprovalItem.objects.filter(pk__in=cycle).values_list("pk", "name"))
        raise ValidationError(
            _("These prerequisites would make a cycle: %(cycle)s.")
            % {"cycle": " → ".join(names[i] for i in cycle)}
        )


@transaction.atomic
def set_prerequisites(user, item: ApprovalItem, prerequisites: Iterable[ApprovalItem]) -> None:
    """Set an item's prerequisites; a cycle is rejected with the cycle named."""
    if user is not None:
        require(permissions.can_edit_catalogue(user, item.district_id))
    prerequisites = list(prerequisites)
    try:
        check_prerequisites(item, prerequisites)
    except ValidationError as exc:
        raise ValidationError({"prerequisites": exc}) from None
    item.prerequisites.set(prerequisites)
    if user is not None:
        log_event(
            user,
            "approval_item.prerequisites_set",
            item,
            summary=item.name,
            prerequisites=[p.pk for p in prerequisites],
        )


# The settings of a catalogue item that its editors change (besides its prerequisites and
# materials); the district is the item's for good.
ITEM_FIELDS = (
    "code",
    "name",
    "department",
    "level",
    "phase",
    "time_limit",
    "time_limit_unit",
    "special_time_limit",
    "statutory_limit",
    "statutory_limit_unit",
    "special_procedure",
    "legal_basis",
    "in_green_channel",
    "is_active",
    "sort_order",
)


def _item_values(item: ApprovalItem) -> dict:
    return {n: ApprovalItem._meta.get_field(n).value_from_object(item) for n in ITEM_FIELDS}


def _write_item(user, item: ApprovalItem, verb: str, fields: dict) -> ApprovalItem:
    """Validate and save an item's fields, materials and prerequisites, then record what
    changed. Runs inside the caller's transaction: any refusal saves nothing."""
    unknown = set(fields) - {*ITEM_FIELDS, "materials", "prerequisites"}
    if unknown:
        raise TypeError(f"not a field of an approval item: {', '.join(sorted(unknown))}")
    fields = dict(fields)
    prerequisites = fields.pop("prerequisites", None)
    materials = fields.pop("materials", None)
    before = _item_values(item) if item.pk else {}
    for name, value in fields.items():
        setattr(item, name, value)
    department = fields.get("department")
    if department is not None and department.district_id != item.district_id:
        raise ValidationError({"department": _("This record belongs to another district.")})
    item.full_clean()
    changed = [n for n, v in _item_values(item).items() if n in fields and before.get(n) != v]
    item._history_user = user
    item.save()
    if materials is not None:
        materials = list(materials)
        old = set(item.materials.values_list("pk", flat=True)) if before else set()
        if old != {m.pk for m in materials}:
            changed.append("materials")
        item.materials.set(materials)
    if prerequisites is not None:
        set_prerequisites(user, item, prerequisites)
    log_event(user, verb, item, summary=item.name, changed=changed)
    return item


@transaction.atomic
def create_item(user, district, **fields) -> ApprovalItem:
    """Add an item to the district's catalogue (审批事项目录): its settings (``ITEM_FIELDS``),
    ``materials`` and ``prerequisites``; for the district's administrator."""
    require(permissions.can_edit_catalogue(user, district.pk))
    return _write_item(user, ApprovalItem(district=district), "approval_item.created", fields)


@transaction.atomic
def update_item(user, item: ApprovalItem, **fields) -> ApprovalItem:
    """Change an item of the catalogue: any of its settings (``ITEM_FIELDS``), its
    ``materials`` and its ``prerequisites`` (a cycle is refused, named). The district's
    administrator only; all or nothing. Cases already registered keep the limit they
    started with. Returns the item as saved."""
    locked = lock_for_update(item)
    require(permissions.can_edit_catalogue(user, locked.district_id))
    return _write_item(user, locked, "approval_item.updated", fields)
