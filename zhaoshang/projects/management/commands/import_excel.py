"""``python manage.py import_excel enterprises|projects FILE --district CODE --user USERNAME``

The operator's way to the Excel import of SPEC §16: the same importer, checks and
all-or-nothing rule as the import pages, run as a named registry editor of the district.
Problems are printed one per line (row, column, reason) and the command exits non-zero
having loaded nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

IMPORTERS = {
    "enterprises": "zhaoshang.enterprises.imports.EnterpriseImporter",
    "projects": "zhaoshang.projects.imports.ProjectImporter",
}


class Command(BaseCommand):
    help = "Import enterprises or projects from an .xlsx file made from the import template."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="what the file holds")
        parser.add_argument("file", metavar="FILE", help="the .xlsx file")
        parser.add_argument("--district", required=True, help="the district's code")
        parser.add_argument(
            "--user", required=True, help="user name of a registry editor of the district"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, kind: str, file: str, district: str, user: str, **options):
        from zhaoshang.org.models import District, User

        try:
            target = District.objects.get(code=district)
        except District.DoesNotExist:
            raise CommandError(_("No district with the code “%(code)s”.") % {"code": district})
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(_("No active user “%(user)s”.") % {"user": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file “%(file)s”.") % {"file": file})
        importer = import_string(IMPORTERS[kind])(actor, target)
        try:
            with path.open("rb") as handle:
                result = importer.run(File(handle, name=path.name), dry_run=options["dry_run"])
        except PermissionDenied:
            raise CommandError(
                _("%(user)s may not edit the registry of %(district)s.")
                % {"user": actor.username, "district": target.name}
            )
        if not result.ok:
            for p in result.problems:
                where = _("row %(row)s") % {"row": p.row} if p.row is not None else _("file")
                if p.column:
                    where += f" · {p.column}"
                self.stderr.write(f"{where}: {p.message}")
            if result.problem_count > len(result.problems):
                self.stderr.write(
                    _("… %(n)d more problems.") % {"n": result.problem_count - len(result.problems)}
                )
            raise CommandError(
                _("Nothing was imported: %(n)d problem(s).") % {"n": result.problem_count}
            )
        if result.dry_run:
            self.stdout.write(
                _("%(n)d rows checked, all correct; nothing was saved.") % {"n": result.rows}
            )
        else:
            self.stdout.write(_("%(n)d imported.") % {"n": len(result.created)})
