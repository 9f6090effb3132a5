"""Write one export of a project's report: the same files the report page downloads."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grading.services.report import EXPORT_FORMATS, report_export
from reviewapp.models import Project


class Command(BaseCommand):
    help = (
        "Export a project's report tables (XLSX, DOCX, CSV, JSON), its included records "
        "(RIS) or its flow diagrams (PRISMA2020 CSV)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The project's short name.")
        parser.add_argument("--format", required=True, choices=EXPORT_FORMATS)
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--language", default="", choices=["", "da", "en"])

    def handle(self, *args, slug, format, output, language, **options):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"no project with the short name {slug!r}")
        content, filename, _content_type = report_export(
            project, format, language or project.language or "da"
        )
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from error
        self.stdout.write(f"wrote {path} ({len(content)} bytes; {filename})")
