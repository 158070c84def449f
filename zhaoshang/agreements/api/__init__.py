"""REST API of agreements (SPEC §8, §19): ``agreements`` (with their terms and investment
schedule), ``obligations`` (status derived in SQL; confirm and waive), ``commitments``
(with their reverse schedules; progress, moving a milestone, filing to the archive) and
the read-only ``archive-versions``. Scoped like the pages (``visible_to``); every change
goes through ``agreements.services`` (a stale version answers 409)."""

from zhaoshang.agreements.api.agreements import AgreementSerializer, AgreementViewSet
from zhaoshang.agreements.api.archive import ArchiveVersionSerializer, ArchiveVersionViewSet
from zhaoshang.agreements.api.commitments import CommitmentSerializer, CommitmentViewSet
from zhaoshang.agreements.api.obligations import ObligationSerializer, ObligationViewSet

__all__ = [
    "AgreementSerializer",
    "AgreementViewSet",
    "ArchiveVersionSerializer",
    "ArchiveVersionViewSet",
    "CommitmentSerializer",
    "CommitmentViewSet",
    "ObligationSerializer",
    "ObligationViewSet",
]
