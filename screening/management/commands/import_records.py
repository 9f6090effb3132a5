import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Project
from screening.dedup import DedupRecord, deduplicate
from screening.models import ImportJob
from screening.parsers import FORMATS, ParseError, detect_format, parse_file
from screening.services.imports import import_job_confirm, import_job_create, import_run


class Command(BaseCommand):
    help = (
        "Import a search export into a topic area, with de-duplication, exactly as an upload "
        "does. With --dry-run, only parse and report (no project needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", help="project short name (slug)")
        parser.add_argument("--topic", help="topic area key (default: the project's only one)")
        parser.add_argument("--source", help="database or source name (default: file name)")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--accept-repairs",
            action="store_true",
            help="store the file even where entries were repaired or skipped (listed); "
            "without it such an import stops, stores nothing and lists them",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if options["dry_run"]:
            report, ok = self._dry_run(path, options["format"])
        else:
            report, ok = self._import(path, options)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self._print(report)
        if not ok:
            raise CommandError(report["errors"][0]["message"], returncode=2)

    def _dry_run(self, path: Path, requested: str) -> tuple[dict, bool]:
        report = {
            "format": requested,
            "records": 0,
            "imported": 0,
            "duplicates_in_file": 0,
            "duplicates_existing": 0,
            "missing_title": 0,
            "errors": [],
        }
        try:
            fmt = detect_format(path, filename=path.name) if requested == "auto" else requested
            report["format"] = fmt
            records = []
            for position, parsed in enumerate(parse_file(path, fmt, filename=path.name), 1):
                records.append(DedupRecord.from_parsed(position, parsed))
                report["missing_title"] += not parsed.title.strip()
        except ParseError as error:
            report["errors"].append(_error(error))
            return report, False
        result = deduplicate(records)
        duplicates = sum(len(group) - 1 for group in result.groups)
        report["records"] = len(records)
        report["duplicates_in_file"] = duplicates
        report["imported"] = len(records) - duplicates
        report["review_pairs"] = len(result.review_pairs)
        return report, True

    def _import(self, path: Path, options) -> tuple[dict, bool]:
        if not options["project"]:
            raise CommandError("--project is required unless --dry-run is given")
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project with the short name {options['project']!r}")
        topics = project.topic_areas.all()
        if options["topic"]:
            topics = topics.filter(key=options["topic"])
        if len(topics) != 1:
            keys = ", ".join(project.topic_areas.values_list("key", flat=True)) or "none"
            raise CommandError(f"choose a topic area with --topic (keys: {keys})")
        with path.open("rb") as stream:
            job = import_job_create(
                topic_area=topics[0],
                actor=None,
                upload=File(stream, name=path.name),
                source_name=options["source"] or path.stem,
                requested_format=options["format"],
                enqueue=False,
            )
        if job.status == ImportJob.Status.NEEDS_MAPPING:
            message = f"{path.name}: CSV columns not recognised; map them in the browser"
            return {"format": "csv", "errors": [{"line": 1, "message": message}]}, False
        if job.status == ImportJob.Status.FAILED:
            return {
                "format": job.requested_format,
                "errors": [{"line": None, "message": job.error}],
            }, False
        try:
            summary = import_run(job=job)
            if job.status == ImportJob.Status.NEEDS_CONFIRMATION and options["accept_repairs"]:
                job = import_job_confirm(job=job, actor=None, enqueue=False)
                summary = import_run(job=job)
        except ParseError as error:
            return {"format": job.detected_format, "errors": [_error(error)]}, False
        report = summary.to_dict()
        if job.status == ImportJob.Status.NEEDS_CONFIRMATION:
            repairs = len(report["repairs"])
            message = (
                f"{path.name}: {repairs} entries were repaired or skipped (listed above); "
                "nothing was stored. Run again with --accept-repairs to store the file, "
                f"or confirm import {job.pk} in the browser."
            )
            report["status"] = job.status
            report["errors"] = [{"line": None, "field": None, "message": message}]
            return report, False
        return report, True

    def _print(self, report: dict) -> None:
        for repair in report.get("repairs", []) if report.get("errors") else []:
            self.stderr.write(self.style.WARNING(repair["message"]))
        for error in report.get("errors", []):
            self.stderr.write(self.style.ERROR(error["message"]))
        if report.get("errors"):
            return
        self.stdout.write(
            f"{report['format']}: {report['records']} records, {report['imported']} new, "
            f"{report['duplicates_in_file']} duplicates within the file, "
            f"{report['duplicates_existing']} duplicates of earlier records, "
            f"{report.get('missing_title', 0)} without title"
        )
        for warning in report.get("warnings", []):
            self.stdout.write(self.style.WARNING(warning["message"]))


def _error(error: ParseError) -> dict:
    return {"line": error.line, "field": error.field, "message": str(error)}
