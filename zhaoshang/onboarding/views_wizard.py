"""The wizard's steps over one batch: the sheets (kind and header row), the columns (field
and unit), the values (their words to our choices and records) and the check (the dry run,
every problem, then the import)."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhaoshang.core.models import ImportStatus
from zhaoshang.onboarding import registry, services
from zhaoshang.onboarding.views import _kind_counts, batch_or_404

PREVIEW_ROWS = 12
PREVIEW_COLUMNS = 30
UNITS = [("yuan", "元"), ("1k", "千元"), ("10k", "万元"), ("10m", "千万元"), ("100m", "亿元")]
EDITABLE = (ImportStatus.DRAFT, ImportStatus.CHECKED, ImportStatus.FAILED)


def _editable_or_redirect(batch):
    """The wizard edits a batch not yet imported; otherwise the batch's own page."""
    if batch.status in services.RUNNING:
        return redirect("onboarding:check", batch.pk)
    if batch.status not in EDITABLE:
        return redirect("onboarding:batch", batch.pk)
    return None


def _render(request, template, batch, step, context, status=200):
    kinds = [(kind, str(cls.sheet_title)) for kind, cls in registry.available()]
    context.update(batch=batch, step=step, kinds=kinds)
    return render(request, f"onboarding/{template}", context, status=status)


# --- 1. sheets: kind and header row ----------------------------------------------------------


def _preview(grid, header_row: int = 0) -> list[list[tuple[str, bool]]]:
    """The first rows (down to a few below the header, however low it is) as (text,
    filled): ``filled`` for a cell that repeats the first cell of its merged range (shown
    lighter)."""
    from zhaoshang.core.imports import cell_text

    rows = []
    for r, row in enumerate(grid.cells[: _preview_rows(header_row)]):
        cells = []
        for c, value in enumerate(row[:PREVIEW_COLUMNS]):
            merged = grid.merged_at(r, c) if getattr(grid, "merged", None) else None
            cells.append((cell_text(value), bool(merged and (merged[0], merged[1]) != (r, c))))
        rows.append(cells)
    return rows


def _preview_rows(header_row: int) -> int:
    return max(PREVIEW_ROWS, int(header_row or 0) + 3)


@login_required
def sheets(request, pk):
    batch = batch_or_404(request, pk)
    if response := _editable_or_redirect(batch):
        return response
    stored = services.sheets(batch)
    grids = services.grids(batch)
    allowed = services.allowed_kinds(request.user, batch.district)
    errors = []
    if request.method == "POST":
        new = []
        for index, grid in enumerate(grids):
            old = stored[index] if index < len(stored) else {"kind": "", "header_row": 0}
            kind = request.POST.get(f"kind-{index}", "")
            kind = kind if kind in allowed else ""
            try:
                header = int(request.POST.get(f"header-{index}", old.get("header_row", 0)))
            except ValueError:
                header = 0
            # (any row the preview shows: a header guessed below the first rows too)
            shown = _preview_rows(old.get("header_row", 0)) - 1
            header = max(0, min(header, max(len(grid.cells) - 1, 0), shown))
            if kind == old.get("kind") and header == old.get("header_row") and old.get("columns"):
                new.append(dict(old, name=grid.name))
            else:
                new.append(services.suggested_sheet(batch, grid, kind, header, request.user))
        if not any(s["kind"] for s in new):
            errors.append(_("Choose the kind of record of at least one sheet."))
        else:
            services.save_sheets(batch, new)
            return redirect("onboarding:columns", batch.pk)
        stored = new
    items = [
        {
            "index": index,
            "name": grid.name,
            "kind": (stored[index] if index < len(stored) else {}).get("kind", ""),
            "header_row": (stored[index] if index < len(stored) else {}).get("header_row", 0),
            "refused": (stored[index] if index < len(stored) else {}).get("refused", ""),
            "preview": _preview(
                grid, (stored[index] if index < len(stored) else {}).get("header_row", 0)
            ),
            "rows": len(grid.cells),
        }
        for index, grid in enumerate(grids)
    ]
    return _render(
        request,
        "sheets.html",
        batch,
        1,
        {"items": items, "errors": errors, "allowed": allowed},
        status=400 if errors else 200,
    )


# --- 2. columns: each source column to a field, and the unit of amounts -----------------------


def _mapped(batch):
    """(index, sheet, grid, importer class) of each sheet mapped to a kind."""
    found = []
    for index, sheet in enumerate(services.sheets(batch)):
        cls = registry.importer_class(sheet.get("kind") or "")
        grid = services.grid_of(batch, index)
        if cls is not None and grid is not None:
            found.append((index, sheet, grid, cls))
    return found


def _column_items(batch, posted=None):
    from zhaoshang.core.imports.mapping import sheet_unit, suggest_unit

    items = []
    for index, sheet, grid, cls in _mapped(batch):
        header_row = int(sheet.get("header_row") or 0)
        headers = services.header_names(grid, header_row)
        rows = services.data_rows(grid, header_row)
        keys = list(sheet.get("columns") or [])
        by_key = {c.key: c for c in cls.columns}
        whole_sheet = sheet_unit(grid, header_row)
        columns = []
        for j, header in enumerate(headers):
            key = keys[j] if j < len(keys) else None
            if posted is not None:
                key = posted.get(f"col-{index}-{j}") or None
            unit = (sheet.get("units") or {}).get(key) if key else None
            if posted is not None:
                unit = posted.get(f"unit-{index}-{j}") or unit
            amount = services.is_amount(by_key.get(key))
            columns.append(
                {
                    "index": j,
                    "header": header,
                    "key": key,
                    "samples": services.sample_values(rows, j),
                    "unit": unit or suggest_unit(header) or whole_sheet or "10k",
                    "show_unit": amount or bool(suggest_unit(header)),
                }
            )
        items.append(
            {
                "index": index,
                "sheet": sheet,
                "label": str(cls.sheet_title),
                "fields": list(cls.columns),
                "columns": columns,
                "rows": len(rows),
                "errors": [],
            }
        )
    return items


def _column_errors(item) -> list[str]:
    errors = []
    chosen: dict[str, list[str]] = {}
    for column in item["columns"]:
        if column["key"]:
            chosen.setdefault(column["key"], []).append(column["header"] or "—")
    labels = {f.key: str(f.label) for f in item["fields"]}
    for key, headers in chosen.items():
        if key not in labels:
            errors.append(_("Unknown field: %(key)s.") % {"key": key})
        elif len(headers) > 1:
            errors.append(
                _("“%(field)s” is chosen for several columns: %(columns)s; keep one.")
                % {"field": labels[key], "columns": "、".join(headers)}
            )
    for field in item["fields"]:
        if field.required and field.key not in chosen:
            errors.append(
                _("The required field “%(field)s” is not mapped to any column.")
                % {"field": str(field.label)}
            )
    return errors


@login_required
def columns(request, pk):
    batch = batch_or_404(request, pk)
    if response := _editable_or_redirect(batch):
        return response
    if not _mapped(batch):
        return redirect("onboarding:sheets", batch.pk)
    posted = request.POST if request.method == "POST" else None
    items = _column_items(batch, posted)
    if posted is None:
        return _render(request, "columns.html", batch, 2, {"items": items, "units": UNITS})
    for item in items:
        item["errors"] = _column_errors(item)
    if any(item["errors"] for item in items):
        return _render(
            request, "columns.html", batch, 2, {"items": items, "units": UNITS}, status=400
        )
    stored = services.sheets(batch)
    for item in items:
        by_key = {f.key: f for f in item["fields"]}
        keys = [c["key"] for c in item["columns"]]
        units = {
            c["key"]: c["unit"]
            for c in item["columns"]
            if c["key"] and services.is_amount(by_key.get(c["key"]))
        }
        old_values = stored[item["index"]].get("values") or {}
        stored[item["index"]] = dict(
            stored[item["index"]],
            columns=keys,
            units=units,
            values={k: v for k, v in old_values.items() if k in keys},
        )
    services.save_sheets(batch, stored)
    return redirect("onboarding:values", batch.pk)


# --- 3. values: their words to our choices and records ---------------------------------------


def _options(importer, column) -> list[tuple[str, str]]:
    parse = column.parse
    enum = getattr(parse, "enum", None)
    if enum is not None:
        return [(member.value, str(member.label)) for member in enum]
    labels = parse.choices(importer)
    if labels is None and hasattr(parse, "records"):
        labels = [parse.label(o) for o in parse.records(importer)]
    return [(str(label), str(label)) for label in labels or []]


def _created_names(batch) -> dict:
    """The names each mapped sheet's rows create, by model (a later sheet naming one of
    them finds it once the earlier sheet is imported: nothing to map)."""
    found: dict = {}
    for _index, sheet, grid, cls in _mapped(batch):
        keys = list(sheet.get("columns") or [])
        if cls.model is None or "name" not in keys:
            continue
        rows = services.data_rows(grid, int(sheet.get("header_row") or 0))
        found.setdefault(cls.model, set()).update(
            services.distinct_values(rows, keys.index("name"))
        )
    return found


def _target_model(importer, column):
    records = getattr(column.parse, "records", None)
    if records is None:
        return None
    return getattr(records(importer), "model", None)


def _value_items(batch, user):
    from zhaoshang.core.imports.mapping import choice_columns, saved_mapping, suggest_values

    items = []
    created = _created_names(batch)
    for index, sheet, grid, cls in _mapped(batch):
        importer = cls(user, batch.district)
        keys = list(sheet.get("columns") or [])
        rows = services.data_rows(grid, int(sheet.get("header_row") or 0))
        saved = saved_mapping(batch.district, sheet["kind"])
        saved_values = dict(getattr(saved, "values", None) or {})
        stored = sheet.get("values") or {}
        for column in choice_columns(importer):
            if column.key not in keys:
                continue
            values = services.distinct_values(rows, keys.index(column.key))
            if not values:
                continue
            known = stored.get(column.key) or saved_values.get(column.key) or {}
            suggested = suggest_values(importer, column, values, saved=known) or {}
            options = _options(importer, column)
            offered = {value for value, _label in options}
            for ours in dict.fromkeys(v for v in suggested.values() if v):
                if ours not in offered:  # a record named by its code (its name is shared)
                    options.append((ours, ours))
            made = created.get(_target_model(importer, column), set())
            entries = [
                {
                    "n": n,
                    "value": value,
                    "ours": suggested.get(value) or "",
                    "created": value in made and not suggested.get(value),
                }
                for n, value in enumerate(values)
            ]
            items.append(
                {
                    "index": index,
                    "sheet": sheet["name"],
                    "key": column.key,
                    "label": str(column.label),
                    "options": options,
                    "values": entries,
                    "open": [e for e in entries if not e["ours"] and not e["created"]],
                    "settled": [e for e in entries if e["ours"] or e["created"]],
                }
            )
    return items


@login_required
def values(request, pk):
    batch = batch_or_404(request, pk)
    if response := _editable_or_redirect(batch):
        return response
    if not _mapped(batch):
        return redirect("onboarding:sheets", batch.pk)
    items = _value_items(batch, request.user)
    if request.method != "POST":
        return _render(request, "values.html", batch, 3, {"items": items})
    stored = services.sheets(batch)
    for index in {item["index"] for item in items}:
        stored[index] = dict(stored[index], values={})
    for item in items:
        allowed = {value for value, _label in item["options"]}
        chosen = {}
        for entry in item["values"]:
            ours = request.POST.get(f"val-{item['index']}-{item['key']}-{entry['n']}", "")
            if ours and ours in allowed:
                chosen[entry["value"]] = ours
        stored[item["index"]]["values"][item["key"]] = chosen
    services.save_sheets(batch, stored)
    services.remember_mapping(batch, request.user)
    with contextlib.suppress(ValidationError):  # the check page says why
        services.start(batch, request.user, "check")
    return redirect("onboarding:check", batch.pk)


# --- 4. check: the dry run, every problem; then the import ------------------------------------


@login_required
def check(request, pk):
    batch = batch_or_404(request, pk)
    errors = []
    if request.method == "POST":
        action = "import" if request.POST.get("action") == "import" else "check"
        try:
            services.start(batch, request.user, action)
        except ValidationError as exc:
            errors = exc.messages
        else:
            if action == "import":
                return redirect("onboarding:batch", batch.pk)
            return redirect("onboarding:check", batch.pk)
    elif batch.status not in services.RUNNING and batch.status not in EDITABLE:
        return redirect("onboarding:batch", batch.pk)
    problems = batch.problems or []
    paginator = Paginator(problems, 50)
    page = paginator.get_page(request.GET.get("page"))

    context = {
        "running": batch.status in services.RUNNING,
        "checked": (batch.mapping or {}).get("checked", False),
        "page": page,
        "counts": _kind_counts(batch),
        "errors": errors,
    }
    return _render(request, "check.html", batch, 4, context, status=400 if errors else 200)
