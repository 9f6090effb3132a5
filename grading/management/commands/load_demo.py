from django.core.management.base import BaseCommand

from grading.demo.review import DEMO_SLUG, demo_load


class Command(BaseCommand):
    help = "Create or refresh the demo review (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo review loaded: /projects/{DEMO_SLUG}/"))
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
