from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.archive import ArchiveError, project_export_json, project_export_zip
from reviewapp.models import Project


class Command(BaseCommand):
    help = (
        "Write a whole project (topic areas, records, screening, studies, verdicts, history) "
        "to one JSON file that import_project reads on this or another installation. "
        "Files (uploads, full-text PDFs) are referenced by name; --with-files writes a zip "
        "with the JSON and the files instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The project's short name.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument(
            "--with-files",
            action="store_true",
            help="Write a zip: project.json and the uploaded files and PDFs.",
        )

    def handle(self, *args, slug, output, with_files=False, **options):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"No project with the short name {slug!r}.")
        try:
            if with_files:
                missing = project_export_zip(project=project, target=output)
            else:
                missing = []
                Path(output).write_text(project_export_json(project=project), encoding="utf-8")
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Project {slug} written to {output}."))
        if missing:
            self.stdout.write(
                self.style.WARNING(f"Files referenced but not in storage ({len(missing)}):")
            )
            for name in missing:
                self.stdout.write(f"  {name}")
