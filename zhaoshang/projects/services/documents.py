"""The project library (资料库): each material kept once per project, in versions."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhaoshang.core import clock
from zhaoshang.core.audit import log_event
from zhaoshang.core.services import require, status_error
from zhaoshang.core.validators import validate_upload
from zhaoshang.projects import permissions
from zhaoshang.projects.models import (
    DocumentVersion,
    EvidenceOwed,
    MaterialType,
    Project,
    ProjectDocument,
)


def evidence_versions():
    """The versions that count as stage evidence: staff uploads and confirmed enterprise
    uploads (``DocumentVersion.counts_as_evidence`` in SQL)."""
    return DocumentVersion.objects.filter(
        Q(submitted_by_enterprise=False) | Q(confirmed_at__isnull=False)
    )


def settle_owed(project_id: int, material_type_id: int, version: DocumentVersion) -> int:
    """A version that counts as evidence has landed: the open rows of evidence owed (补录待补
    材料) of that material on the project are supplied by it (one UPDATE)."""
    return (
        EvidenceOwed.objects.open()
        .filter(project_id=project_id, material_type_id=material_type_id)
        .update(supplied_version=version, supplied_on=clock.today())
    )


def _document(project: Project, material_type: MaterialType, existing) -> tuple:
    """The project's document of ``material_type`` and its last version number. ``existing``
    is None (look it up) or the project's documents by material code as read already, their
    versions prefetched: one in it is in hand, one not in it is created without a look-up
    (unless an upload made it meanwhile)."""
    if existing is not None and material_type.code in existing:
        document = existing[material_type.code]
        return document, max((v.number for v in document.versions.all()), default=0)
    if existing is not None:
        try:
            with transaction.atomic():
                return ProjectDocument.objects.create(
                    project=project, material_type=material_type
                ), 0
        except IntegrityError:
            pass
    document, created = ProjectDocument.objects.get_or_create(
        project=project, material_type=material_type
    )
    if created:
        return document, 0
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    return document, last or 0


def store_version(
    user,
    project: Project,
    material_type: MaterialType,
    uploaded,
    note: str = "",
    existing=None,
    *,
    by_enterprise: bool = False,
) -> DocumentVersion:
    """Keep ``uploaded`` as the next version of the project's material (its SHA-256 noted);
    the caller has validated the file and checked the permission (``existing``: see
    ``_document``). ``by_enterprise``: an upload of the enterprise's service hall, which
    waits for the staff's confirmation before it counts as stage evidence."""
    document, last = _document(project, material_type, existing)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    version = DocumentVersion(
        document=document,
        number=last + 1,
        original_name=uploaded.name[:200],
        size=uploaded.size,
        sha256=digest.hexdigest(),
        note=note[:200],
        uploaded_by=user,
        submitted_by_enterprise=by_enterprise,
    )
    version.file.save(uploaded.name, uploaded, save=False)
    version.save()
    if version.counts_as_evidence:
        settle_owed(project.pk, material_type.pk, version)
    return version


@transaction.atomic
def upload_document(
    user, project: Project, material_type: MaterialType, uploaded, note: str = ""
) -> DocumentVersion:
    """Add a material to the project library, or a new version of one already there. The
    project's own enterprise may upload too (from its service hall): its version is marked
    unconfirmed until the staff confirm it (``confirm_document``)."""
    require(permissions.can_report_progress(user, project))
    by_enterprise = not permissions.can_record_service(user, project)
    try:
        validate_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    version = store_version(
        user, project, material_type, uploaded, note, by_enterprise=by_enterprise
    )
    log_event(
        user,
        "project.document_uploaded",
        project,
        summary=f"{material_type.label} v{version.number}",
        material=material_type.code,
        version=version.number,
        by_enterprise=by_enterprise,
    )
    return version


@transaction.atomic
def confirm_document(user, version: DocumentVersion) -> DocumentVersion:
    """The project's staff (its team, the registry editors) confirm a version the
    enterprise uploaded: from then on it counts as stage evidence."""
    project = version.document.project
    require(permissions.can_record_service(user, project))
    locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.submitted_by_enterprise:
        raise status_error(_("Only a document the enterprise uploaded waits for confirmation."))
    if locked.confirmed_at is not None:
        raise status_error(_("This document has already been confirmed."))
    locked.confirmed_by, locked.confirmed_at = user, clock.now()
    locked.save(update_fields=["confirmed_by", "confirmed_at"])
    settle_owed(project.pk, version.document.material_type_id, locked)
    log_event(
        user,
        "project.document_confirmed",
        project,
        summary=f"{version.document.material_type.label} v{locked.number}",
        material=version.document.material_type.code,
        version=locked.number,
    )
    return locked
