"""Django's loaddata, without writing change history of its own.

django-simple-history skips its post_save handler for raw (fixture) saves, but its
m2m_changed handler has no such check: loading an object with a tracked many-to-many field
(projects' paired departments, meetings' attendees and departments, working groups'
departments, approval items' prerequisites) wrote a new, fake history row for it, dated the
moment of the load, next to the history rows the fixture itself carries. On SQLite nine
history tables of the demo district grew (projects' history from 253 rows to 374); on
PostgreSQL the load failed: "Could not load projects.Project(pk=1): duplicate key value
violates unique constraint projects_historicalproject_pkey" (the fake row took history_id 1
from the sequence, which the fixture's own row has). The fixture holds the history already,
so loading turns history writing off.

Not the backup path: see docs/operations.md, "Backup and restore"."""

from django.core.management.commands import loaddata
from django.test.utils import override_settings


class Command(loaddata.Command):
    help = loaddata.Command.help + " Writes no change history: the fixture carries its own."

    def handle(self, *fixture_labels, **options):
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            return super().handle(*fixture_labels, **options)
