from django.core.management.base import BaseCommand

from reviewapp.notifications import notifications_send_digests


class Command(BaseCommand):
    help = "Mail each person their notifications not yet sent, in one digest (run daily)."

    def handle(self, *args, **options):
        mails = notifications_send_digests()
        self.stdout.write(f"{mails} digest(s) sent.")
