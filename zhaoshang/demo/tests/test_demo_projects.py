"""The demo city's monthly reports (issue 16, point 11): one project of the demo district
counted an equipment invoice twice in one month and took it back the month after, as a
correction with its reason; the month too high stays as filed, and the other district
has no correction."""

from __future__ import annotations

from django.urls import reverse

from zhaoshang.demo.builder import DEMO_CODE, SECOND_CODE
from zhaoshang.org.models import User
from zhaoshang.projects.models import MonthlyReport


def test_one_correction_with_its_reason(today, client):
    corrections = MonthlyReport.objects.filter(is_correction=True).select_related("project")
    (report,) = corrections.filter(project__district__code=DEMO_CODE)
    assert not corrections.filter(project__district__code=SECOND_CODE).exists()
    assert "重复计入" in report.correction_reason
    before = (
        MonthlyReport.objects.filter(project=report.project, month__lt=report.month)
        .order_by("-month")
        .first()
    )
    # The month too high stays as filed: it counted the invoice twice (this month's
    # figure holds it twice), and the correction goes back from its cumulative figure.
    assert report.cumulative_before == before.investment_cumulative
    assert report.investment_cumulative < before.investment_cumulative
    assert not before.is_correction and before.history.count() == 1
    later = MonthlyReport.objects.filter(project=report.project, month__gt=report.month)
    for after in later.order_by("month"):
        assert after.investment_cumulative >= report.investment_cumulative
    client.force_login(User.objects.get(username="bureau"))
    page = client.get(reverse("projects:progress", args=[report.project.pk]))
    assert page.status_code == 200
    if report in page.context["reports"]:  # (on the first page: the last twelve months)
        assert report.correction_reason in page.content.decode()
