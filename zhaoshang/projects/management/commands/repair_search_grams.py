"""``manage.py repair_search_grams [--all]``: the projects' search grams (``projects.search``)
remade where a project's stored text differs from its text now (a write that went around
``save``: a bulk load, a raw statement, a restored table) — or, with ``--all``, for every
project. Safe to run at any time (each batch of projects in its own transaction)."""

from django.core.management.base import BaseCommand

from zhaoshang.projects.models import Project
from zhaoshang.projects.search import refresh, repair


class Command(BaseCommand):
    help = "Remake the projects' search grams where they are stale (or, with --all, all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="remake every project's grams")

    def handle(self, *args, all=False, **options):
        done = refresh(Project._base_manager.values_list("pk", flat=True)) if all else repair()
        self.stdout.write(f"search grams remade for {done} projects")
