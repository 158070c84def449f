"""Small helpers used by the views of every app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import pgettext

AUTOCOMPLETE_LIMIT = 20


def autocomplete_response(queryset, label):
    """The JSON of an autocomplete endpoint (issue 19.3, ``core.widgets.AUTOCOMPLETE``):
    at most ``AUTOCOMPLETE_LIMIT`` of ``queryset`` (already scoped to the user and filtered
    by the query), each ``{"id": pk, "label": label(obj)}``."""
    from django.http import JsonResponse

    if queryset is None:  # a scope unknown or refused (core.widgets.scoped_queryset)
        return JsonResponse({"results": []})
    rows = [{"id": obj.pk, "label": label(obj)} for obj in queryset[:AUTOCOMPLETE_LIMIT]]
    return JsonResponse({"results": rows})


def paginate(request, queryset, per_page: int = 25):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


# --- Excel import pages (SPEC §16); the apps' views pass their importer ----------------------


def _importer_for(request, importer_class):
    """The importer for the user's own district; registry editors only (403 otherwise)."""
    user = request.user
    if not user.district_id:
        raise PermissionDenied
    importer = importer_class(user, user.district)
    if not importer.allowed():
        raise PermissionDenied
    return importer


def _session_keys(importer) -> tuple[str, str]:
    return f"import:{importer.kind}:done", f"import:{importer.kind}:report"


def import_page(request, importer_class, *, namespace: str, title: str, list_title: str):
    """Upload page: template download, upload, then the result or the table of problems.

    A refused file or a file with problems re-renders the page with 400 and keeps the
    problems in the session for the report download; a good file is imported and the
    page shows what was created (after a redirect, so a reload does not import twice)."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.utils.translation import ngettext

    from zhaoshang.core.forms import ImportForm
    from zhaoshang.core.imports import MAX_PROBLEMS

    importer = _importer_for(request, importer_class)
    done_key, report_key = _session_keys(importer)
    context = {
        "title": title,
        "list_title": list_title,
        "list_url": reverse(f"{namespace}:list"),
        "template_url": reverse(f"{namespace}:import_template"),
        "report_url": reverse(f"{namespace}:import_report"),
        "importer": importer,
        "max_problems": MAX_PROBLEMS,
    }
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        else:
            result = importer.run(form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
            context["result"] = result
            if result.file_problems:
                for problem in result.file_problems:
                    form.add_error("file", problem.message)
                status = 400
            elif not result.ok:
                request.session[report_key] = {
                    "file": result.file_name,
                    "problems": [p.as_list() for p in result.problems],
                }
                status = 400
            elif not result.dry_run:
                request.session.pop(report_key, None)
                request.session[done_key] = {
                    "ids": [obj.pk for obj in result.created],
                    "file": result.file_name,
                    "ignored": result.ignored_columns,
                }
                messages.success(
                    request,
                    ngettext(
                        "%(count)d record imported from %(file)s.",
                        "%(count)d records imported from %(file)s.",
                        len(result.created),
                    )
                    % {"count": len(result.created), "file": result.file_name},
                )
                return redirect(f"{namespace}:import")
    else:
        form = ImportForm()
        done = request.session.pop(done_key, None)
        if done:
            context["done"] = done
            context["created"] = importer.created_objects(done["ids"])[:200]
            context["created_count"] = len(done["ids"])
    context["form"] = form
    return render(request, "core/import.html", context, status=status)


def import_template(request, importer_class):
    """The import template of the user's district (its parks, industries … as dropdowns)."""
    from zhaoshang.core.exports import xlsx_file_response
    from zhaoshang.core.imports import template_workbook

    importer = _importer_for(request, importer_class)
    name = pgettext("file name", "%(what)s import template") % {"what": importer.sheet_title}
    return xlsx_file_response(
        template_workbook(importer), f"{importer.kind}-import-template", name=name
    )


def import_report(request, importer_class, *, namespace: str):
    """The problems of the last refused import as a workbook (row, column, value, reason)."""
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from zhaoshang.core.exports import xlsx_response
    from zhaoshang.core.imports import Problem, report_rows

    importer = _importer_for(request, importer_class)
    report = request.session.get(_session_keys(importer)[1])
    if not report:
        return redirect(f"{namespace}:import")
    columns, rows = report_rows(Problem.from_list(p) for p in report["problems"])
    name = pgettext("file name", "%(what)s import problems") % {"what": importer.sheet_title}
    return xlsx_response(
        f"{importer.kind}-import-problems", _("Problems"), columns, rows, name=name
    )
