from django.core.management.base import BaseCommand, CommandError

from zhaoshang.approvals.catalogue import seed_catalogue
from zhaoshang.org.models import District


class Command(BaseCommand):
    help = "Create the usual approval catalogue of an industrial project in a district."

    def add_arguments(self, parser):
        parser.add_argument("district", help="the district's code")

    def handle(self, *args, district, **options):
        try:
            target = District.objects.get(code=district)
        except District.DoesNotExist:
            raise CommandError(f"No district with the code {district!r}.") from None
        items = seed_catalogue(target)
        self.stdout.write(f"{len(items)} items in the catalogue of {target}")
