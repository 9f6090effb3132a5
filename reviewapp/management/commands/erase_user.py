"""python manage.py erase_user USERNAME --yes: erase a person's personal data (GDPR art. 17)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviewapp.services import user_erase


class Command(BaseCommand):
    help = (
        "Erase a person's personal data: name, e-mail and username become a pseudonym "
        '("Former reviewer 3"), password, API tokens, sessions and memberships go; their '
        "decisions, extractions and comments stay under the pseudonym. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Confirm: erasure cannot be undone.")

    def handle(self, *args, username, yes, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username}.")
        if not yes:
            raise CommandError(
                f"Erasing {username} cannot be undone; run again with --yes to confirm."
            )
        try:
            erasure = user_erase(user=user, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{username} erased; now shown as {erasure.user}."))
