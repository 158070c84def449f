"""Commitments (承诺): the obligations the enterprise signed in its investment agreements
and the government's to it — the departments' agreement obligations and their service
commitments with the reverse schedules — with due dates and status on both sides, per
project (``portal.commitments_data``)."""

from __future__ import annotations

from django.shortcuts import render

from zhaoshang.core import clock
from zhaoshang.portal.access import portal_view
from zhaoshang.portal.commitments_data import by_project


@portal_view
def commitments(request):
    today = clock.today()
    return render(
        request,
        "portal/commitments.html",
        {"groups": by_project(request.user, today), "today": today},
    )
