from django.conf import settings
from django.core.management.base import BaseCommand

from reviewapp.services import deleted_purge


class Command(BaseCommand):
    help = (
        "Delete for good what has been in a project's bin longer than SOFT_DELETE_DAYS "
        "(run nightly by the beat service)."
    )

    def handle(self, *args, **options):
        purged = deleted_purge()
        self.stdout.write(
            f"{purged} item(s) in the bin longer than {settings.SOFT_DELETE_DAYS} days purged."
        )
