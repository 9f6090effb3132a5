"""python manage.py restore FILE [--force] [--check]: restore a backup written by `backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into this installation. Refuses a "
        "backup of another version or migration state, and checks every file's sha256 "
        "before it touches anything. Restores only into an empty database (a new one, not "
        "migrated) and an empty media folder, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database and the media folder hold (it is lost).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the backup and that this installation can take it.",
        )

    def handle(self, *args, file, force, check, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        try:
            if check:
                manifest = backup_check(source=source)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{source} is intact: reviewapp {manifest['app_version']}, "
                        f"made {manifest['created_at']}, {len(manifest['members'])} files."
                    )
                )
                return
            outcome = backup_restore(source=source, force=force)
        except BackupError as error:
            raise CommandError(f"Not restored. {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {source} (made {outcome.manifest['created_at']}): the database and "
                f"{outcome.media_files} media files."
            )
        )
