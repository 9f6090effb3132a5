from django.core.management.base import BaseCommand

from grading.demo.in_progress import demo_start
from grading.demo.review import DEMO_SLUG, demo_load
from reviewapp.models import Project
from reviewapp.services import project_restore


class Command(BaseCommand):
    help = "Create or refresh the demo review (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="Printed before the demo's paths, e.g. http://127.0.0.1:8000 (make run).",
        )

    def handle(self, *args, **options):
        base = options["base_url"].rstrip("/")
        binned = Project.all_objects.in_bin().filter(slug=DEMO_SLUG).first()
        if binned is not None:
            # Someone deleted the demo: asking for it again means wanting it back, as it was
            # (restored, then refreshed like any other run), not a second copy beside it.
            project_restore(project=binned, actor=None)
            self.stdout.write(
                self.style.WARNING(f"The demo project {DEMO_SLUG} was in the bin: restored it.")
            )
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo review loaded: {base}/projects/{DEMO_SLUG}/"))
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
        start = demo_start(project=Project.objects.get(slug=DEMO_SLUG))
        self.stdout.write("Where to start: the third topic area has a screening in progress.")
        for username, path, what in start:
            self.stdout.write(f"  {username:<10} {base}{path}")
            self.stdout.write(f"  {'':<10} {what}")
