# A record's events in time order (its page's activity, ``DomainEvent.objects.for_object``)
# read as a range of one index: off (content type, object) alone SQLite read every event of
# the record's kind in time order off ``event_recent`` to find the record's (issue 19.3).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_domainevent_fewer_indexes"),
    ]

    # the new index made before the one it stands in for is dropped
    operations = [
        migrations.AddIndex(
            model_name="domainevent",
            index=models.Index(
                fields=["content_type", "object_id", "occurred_at", "id"], name="event_subject"
            ),
        ),
        migrations.RemoveIndex(
            model_name="domainevent",
            name="core_domain_content_437c52_idx",
        ),
    ]
