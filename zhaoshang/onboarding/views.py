"""The ledger import's pages (补录导入): the batches of the district with the upload, the
go-live date and the templates; a batch's result with confirm and undo; the progress of a
background run and the problem report. The wizard's steps are in ``views_wizard``."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from zhaoshang.core.imports import FileRefused
from zhaoshang.core.models import ImportBatch, ImportedRecord, ImportStatus
from zhaoshang.core.views_helpers import paginate
from zhaoshang.onboarding import registry, services
from zhaoshang.onboarding.forms import GoLiveForm, UploadForm

STATUS_COLORS = {
    ImportStatus.CHECKED: "info",
    ImportStatus.QUEUED: "warning",
    ImportStatus.RUNNING: "warning",
    ImportStatus.IMPORTED: "success",
    ImportStatus.FAILED: "danger",
}
EXAMPLE = Path(__file__).resolve().parent / "examples" / "ledger-example.xlsx"


def editor_only(request) -> None:
    """Registry editors of their own district (403 otherwise)."""
    if not services.can_onboard(request.user):
        raise PermissionDenied


def batch_or_404(request, pk: int) -> ImportBatch:
    editor_only(request)
    return get_object_or_404(
        ImportBatch.objects.select_related("created_by", "confirmed_by", "undone_by"),
        pk=pk,
        district_id=request.user.district_id,
    )


def _templates() -> list[tuple[str, str]]:
    return [(kind, str(cls.sheet_title)) for kind, cls in registry.available()]


def _index_page(request, form=None, go_live_form=None, status=200):
    district = request.user.district
    batches = (
        ImportBatch.objects.filter(district=district)
        .select_related("created_by")
        .defer("mapping", "problems", "summary")
    )
    page = paginate(request, batches, 20)
    kinds = dict(_templates())
    allowed = services.allowed_kinds(request.user, district)
    for batch in page.object_list:
        batch.kind_label = (
            _("Whole workbook")
            if batch.kind == registry.WORKBOOK
            else kinds.get(batch.kind, batch.kind)
        )
        batch.status_color = STATUS_COLORS.get(batch.status, "secondary")
    context = {
        "form": form or UploadForm(allowed=allowed),
        "go_live_form": go_live_form or GoLiveForm(initial={"go_live_on": district.go_live_on}),
        "district": district,
        "page": page,
        "templates": [(kind, label) for kind, label in kinds.items() if kind in allowed],
        "example": EXAMPLE.exists(),
    }
    return render(request, "onboarding/index.html", context, status=status)


@login_required
def index(request):
    """The district's batches, the upload form, the go-live date and the templates."""
    editor_only(request)
    if request.method != "POST":
        return _index_page(request)
    allowed = services.allowed_kinds(request.user, request.user.district)
    form = UploadForm(request.POST, request.FILES, allowed=allowed)
    if not form.is_valid():
        return _index_page(request, form=form, status=400)
    try:
        batch = services.create_batch(
            request.user, form.cleaned_data["file"], form.cleaned_data["what"]
        )
    except FileRefused as exc:
        for message in exc.messages:
            form.add_error("file", message)
        return _index_page(request, form=form, status=400)
    return redirect("onboarding:sheets", batch.pk)


@login_required
@require_POST
def go_live(request):
    editor_only(request)
    form = GoLiveForm(request.POST)
    if not form.is_valid():
        return _index_page(request, go_live_form=form, status=400)
    services.set_go_live(request.user, request.user.district, form.cleaned_data["go_live_on"])
    messages.success(request, _("The go-live date is saved."))
    return redirect("onboarding:index")


@login_required
def template(request, kind):
    """The import template of one kind (its columns, the district's values as dropdowns)."""
    from zhaoshang.core.views_helpers import import_template

    editor_only(request)
    cls = registry.importer_class(kind)
    if cls is None:
        raise Http404
    return import_template(request, cls)


@login_required
def example(request):
    """The example workbook: a ledger in the shape an office keeps it."""
    editor_only(request)
    if not EXAMPLE.exists():
        raise Http404
    return FileResponse(
        EXAMPLE.open("rb"),
        as_attachment=True,
        filename=pgettext("file name", "ledger-example") + ".xlsx",
    )


def _records_page(request, batch):
    records = ImportedRecord.objects.filter(batch=batch, row__isnull=False)
    if request.GET.get("sheet"):
        records = records.filter(sheet=request.GET["sheet"])
    records = records.select_related("content_type").order_by("id")
    page = paginate(request, records, 50)
    by_type: dict[int, list] = {}
    for record in page.object_list:
        by_type.setdefault(record.content_type_id, []).append(record)
    for items in by_type.values():  # one query per kind of record on the page
        model = items[0].content_type.model_class()
        found = model._base_manager.in_bulk([r.object_id for r in items]) if model else {}
        for record in items:
            record.obj = found.get(record.object_id)
    return page


def _kind_counts(batch) -> list[dict]:
    summary = batch.summary or {}
    created = summary.get("created") or {}
    rows = []
    kinds = dict(_templates())
    for sheet, entry in (summary.get("sheets") or {}).items():
        rows.append(
            {
                "sheet": sheet,
                "kind": kinds.get(entry.get("kind"), entry.get("kind")),
                "rows": entry.get("rows", 0),
                "created": created.get(sheet, 0),
            }
        )
    return rows


@login_required
def batch_detail(request, pk):
    """The result: counts per kind, the created records with links, confirm and undo."""
    batch = batch_or_404(request, pk)
    context = {
        "batch": batch,
        "counts": _kind_counts(batch),
        "running": batch.status in services.RUNNING,
        "blockers": [],
        "sheet": request.GET.get("sheet", ""),
    }
    if batch.status == ImportStatus.IMPORTED:
        context["page"] = _records_page(request, batch)
    return render(request, "onboarding/batch.html", context)


@login_required
def progress(request, pk):
    """The state of a background run, polled by the page (JSON)."""
    batch = batch_or_404(request, pk)
    done, total, phase = batch.progress_done, batch.progress_total, ""
    from zhaoshang.core.imports.progress import get_progress

    found = get_progress(batch.pk)
    if found:
        done, total, phase = found["done"], found["total"], found.get("phase", "")
    finished = batch.status not in services.RUNNING
    task = (batch.summary or {}).get("task", "")
    if batch.status in (ImportStatus.IMPORTED, ImportStatus.FAILED, ImportStatus.UNDONE):
        next_url = reverse("onboarding:batch", args=[batch.pk])
    else:
        next_url = reverse("onboarding:check", args=[batch.pk])
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": str(batch.get_status_display()),
            "done": done,
            "total": total,
            "phase": phase or task,
            "percent": int(done * 100 / total) if total else 0,
            "finished": finished,
            "next": next_url,
        }
    )


@login_required
def problems_report(request, pk):
    """Every problem of the last check or run as a workbook (sheet, row, column, value)."""
    from zhaoshang.core.exports import xlsx_response
    from zhaoshang.core.imports import Problem, report_rows

    batch = batch_or_404(request, pk)
    problems = [
        (sheet, Problem(row=row, column=column, message=message, value=value))
        for sheet, row, column, value, message in batch.problems or []
    ]
    columns, rows = report_rows(p for _s, p in problems)
    sheets = {id(p): s for s, p in problems}
    columns = [(_("Sheet"), lambda p: sheets.get(id(p), "")), *columns]
    name = pgettext("file name", "%(file)s import problems") % {"file": Path(batch.file_name).stem}
    return xlsx_response(f"import-{batch.pk}-problems", _("Problems"), columns, rows, name=name)


@login_required
@require_POST
def confirm(request, pk):
    """The bureau confirms the import: imported projects then move stages freely."""
    from zhaoshang.core.imports import batches

    batch = batch_or_404(request, pk)
    try:
        batches.confirm(request.user, batch)
    except ValidationError as exc:
        return _refused(request, batch, exc.messages)
    messages.success(request, _("The import is confirmed."))
    return redirect("onboarding:batch", batch.pk)


@login_required
@require_POST
def undo(request, pk):
    """Undo the batch as a whole; refused, with the reasons, when records changed since."""
    from zhaoshang.core.imports import batches

    batch = batch_or_404(request, pk)
    if batch.status != ImportStatus.IMPORTED:
        return _refused(request, batch, [_("Only an imported batch can be undone.")])
    try:  # (undo surveys the records once and refuses naming what was recorded since)
        batches.undo(request.user, batch)
    except ValidationError as exc:
        return _refused(request, batch, exc.messages)
    messages.success(request, _("The import is undone: every record it created is removed."))
    return redirect("onboarding:batch", batch.pk)


def _refused(request, batch, reasons):
    batch.refresh_from_db()
    context = {
        "batch": batch,
        "counts": _kind_counts(batch),
        "running": False,
        "blockers": [str(r) for r in reasons],
    }
    if batch.status == ImportStatus.IMPORTED:
        context["page"] = _records_page(request, batch)
    return render(request, "onboarding/batch.html", context, status=400)
