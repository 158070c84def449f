"""``manage.py datastamp``: the data's stamp takes a new value, so that no page kept before is
served again (after the database was edited outside Django: ``psql`` by hand, a restored
backup; core.pagecache)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhaoshang.core import datastamp


class Command(BaseCommand):
    help = "Give the data's stamp a new value: pages kept before are built anew."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        datastamp.changed(database)
        self.stdout.write(_("The data's stamp is renewed: every page is built anew."))
