"""The ratings recorded on complaints and inspection visits before the ratings app become
Rating rows, so that the satisfaction figures include them.

- a closed complaint's rating (``Complaint.rating``, ``rated_on``): the rating that closed
  it (a 不满意 that reopened a complaint still open is not its rating of record: the
  complaint is rated again once answered again); the department complained about, the
  complaint's enterprise and project;
- a visit's rating (``InspectionVisit.rating``, ``rating_comment``, ``rated_on``): the
  department that filed the request, the visit's enterprise, the comment as the reason.

Rated by: whoever recorded the rating (the actor of the record's rating event), else the
complaint's receiver / the request's filer. A carried-over 不满意 opens no follow-up: the
complaint was reopened by it and the supervision office was told of the visit's at the
time. Records already rated in the new app are left alone; running it again adds nothing.
"""

from django.db import migrations

RATING_VERBS = {
    "complaint": ("complaint.closed",),
    "visit": ("inspection.rated",),
}


def _actors(apps, app_label, model, verbs, ids):
    """{record id: the user who recorded its rating, the latest event first}."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    DomainEvent = apps.get_model("core", "DomainEvent")
    ct = ContentType.objects.filter(app_label=app_label, model=model).first()
    if ct is None or not ids:
        return {}
    actors = {}
    events = (
        DomainEvent.objects.filter(
            content_type=ct, object_id__in=ids, verb__in=verbs, actor__isnull=False
        )
        .order_by("occurred_at", "id")
        .values_list("object_id", "actor_id")
    )
    for object_id, actor_id in events:
        actors[object_id] = actor_id  # the last event wins: the rating that stands
    return actors


def carry_over(apps, schema_editor):
    Rating = apps.get_model("ratings", "Rating")
    Complaint = apps.get_model("complaints", "Complaint")
    InspectionVisit = apps.get_model("inspections", "InspectionVisit")
    rated = {
        kind: set(Rating.objects.filter(subject_kind=kind).values_list("subject_id", flat=True))
        for kind in ("complaint", "visit")
    }
    rows = []

    complaints = list(
        Complaint.objects.exclude(rating="")
        .filter(status="closed", rated_on__isnull=False)
        .exclude(pk__in=rated["complaint"])
        .order_by("pk")
    )
    actors = _actors(
        apps, "complaints", "complaint", RATING_VERBS["complaint"], [c.pk for c in complaints]
    )
    for c in complaints:
        rows.append(
            Rating(
                district_id=c.district_id,
                subject_kind="complaint",
                subject_id=c.pk,
                enterprise_id=c.enterprise_id,
                project_id=c.project_id,
                department_id=c.department_id,
                score=c.rating,
                reason="",
                rated_on=c.rated_on,
                rated_by_id=actors.get(c.pk, c.received_by_id),
                followup="",
            )
        )

    visits = list(
        InspectionVisit.objects.exclude(rating="")
        .filter(rated_on__isnull=False)
        .exclude(pk__in=rated["visit"])
        .select_related("request")
        .order_by("pk")
    )
    actors = _actors(
        apps, "inspections", "inspectionvisit", RATING_VERBS["visit"], [v.pk for v in visits]
    )
    for v in visits:
        rows.append(
            Rating(
                district_id=v.district_id,
                subject_kind="visit",
                subject_id=v.pk,
                enterprise_id=v.enterprise_id,
                project_id=None,
                department_id=v.request.department_id,
                score=v.rating,
                reason=(v.rating_comment or "").strip(),
                rated_on=v.rated_on,
                rated_by_id=actors.get(v.pk, v.request.filed_by_id),
                followup="",
            )
        )
    Rating.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_followup_confirmed"),
        ("complaints", "0005_complaint_findings"),
        ("inspections", "0002_clock_timestamps"),
        ("core", "0004_domain_event_clock"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
