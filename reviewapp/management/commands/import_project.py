import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.archive import ArchiveError, project_import_json, project_import_zip


class Command(BaseCommand):
    help = (
        "Create a project from a file written by export_project (JSON, or the zip of "
        "--with-files), all or nothing. "
        "Users are matched by username; missing ones are created inactive (without a "
        "password). --slug imports a copy beside a project of the same short name."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON or zip file export_project wrote.")
        parser.add_argument("--slug", help="Import under this short name instead.")

    def handle(self, *args, file, slug=None, **options):
        try:
            if zipfile.is_zipfile(file):
                outcome = project_import_zip(source=file, slug=slug)
            else:
                outcome = project_import_json(
                    text=Path(file).read_text(encoding="utf-8"), slug=slug
                )
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except ArchiveError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from error
        project = outcome.project
        self.stdout.write(
            self.style.SUCCESS(f"Project {project.slug} imported: /projects/{project.slug}/")
        )
        for label, count in outcome.counts.items():
            self.stdout.write(f"  {label:<30} {count}")
        if outcome.created_users:
            self.stdout.write(
                self.style.WARNING(
                    "Users created inactive (set a password and activate them to let them "
                    "log in): " + ", ".join(outcome.created_users)
                )
            )
        if outcome.files_copied:
            self.stdout.write(f"Files copied: {outcome.files_copied}")
        if outcome.files_missing:
            self.stdout.write(
                self.style.WARNING(
                    f"Files referenced but not in this installation's storage "
                    f"({len(outcome.files_missing)}); copy them into MEDIA_ROOT under these "
                    "names:"
                )
            )
            for name in outcome.files_missing:
                self.stdout.write(f"  {name}")
