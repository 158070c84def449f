"""The district's 补录 list: the evidence still owed by projects whose history was imported
(``EvidenceOwed``), by project, for the secretaries (``mine``) and the bureau."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import roles
from zhaoshang.core.forms import BootstrapMixin
from zhaoshang.core.views_helpers import paginate
from zhaoshang.org.models import Park
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import EvidenceOwed, MaterialType, Project, ProjectTeamMember


class BackfillFilterForm(BootstrapMixin, forms.Form):
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    material = forms.ModelChoiceField(
        label=_("Material"), queryset=MaterialType.objects.all(), required=False
    )
    mine = forms.BooleanField(label=_("Projects I manage or serve as secretary"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All")), *Stage.choices]
        self.fields["park"].queryset = Park.objects.visible_to(user).select_related("district")
        for name in ("park", "material"):
            self.fields[name].empty_label = _("All")


def filtered_backfill(request):
    """The open evidence owed on the projects the user sees, filtered as the query string
    says (the secretary's home counts ``mine=on`` with it)."""
    user = request.user
    form = BackfillFilterForm(request.GET or None, user=user)
    projects = Project.objects.visible_to(user)
    qs = EvidenceOwed.objects.open()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("mine"):
            projects = projects.held_by(user)
        if data.get("park"):
            projects = projects.filter(park=data["park"])
        if data.get("stage"):
            projects = projects.filter(stage=data["stage"])
        if data.get("material"):
            qs = qs.filter(material_type=data["material"])
    qs = qs.filter(project__in=projects.order_by().values("pk"))
    return form, qs.order_by(
        "project__park__name", "project__name", "project_id", "stage_event__occurred_on", "id"
    )


def _mark_uploads(user, rows) -> None:
    """``can_upload`` on each row: who may record the project's documents
    (``permissions.can_record_service``: the registry's editors and the project's team),
    decided for the page's projects in one query, not one per row."""
    rows = list(rows)
    if roles.is_city(user) or roles.is_enterprise(user) or not rows:
        allowed = set()
    elif roles.can_edit_registry(user, user.district_id):
        allowed = {r.project_id for r in rows if r.project.district_id == user.district_id}
    else:
        ids = {r.project_id for r in rows if r.project.district_id == user.district_id}
        team = ProjectTeamMember.objects.filter(project_id__in=ids, user=user)
        allowed = set(team.values_list("project_id", flat=True))
    for r in rows:
        r.can_upload = r.project_id in allowed


@login_required
def backfill_list(request):
    form, qs = filtered_backfill(request)
    page = paginate(
        request,
        qs.select_related(
            "project__park",
            "project__enterprise",
            "material_type",
            "stage_event__import_batch",
        ),
        per_page=50,
    )
    _mark_uploads(request.user, page.object_list)
    return render(
        request,
        "projects/backfill_list.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "projects": qs.order_by().values("project_id").distinct().count(),
        },
    )
