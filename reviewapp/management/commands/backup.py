"""python manage.py backup FILE: the database, the media files and a manifest in one tar."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup of the whole installation to FILE (a tar): the database (pg_dump's "
        "custom format, or SQLite's online backup), every media file, and a manifest with "
        "the versions, the migrations and a sha256 per file. The service keeps running."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup, e.g. backup.tar.")

    def handle(self, *args, file, **options):
        target = Path(file)
        try:
            manifest = backup_create(target=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        media = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {target}: {manifest['database_vendor']} database, "
                f"{media} media files, {target.stat().st_size} bytes "
                f"(reviewapp {manifest['app_version']})."
            )
        )
