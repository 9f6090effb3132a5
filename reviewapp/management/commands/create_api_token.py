"""python manage.py create_api_token USERNAME --name NAME: print a new API token once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.api.tokens import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username}.")
        if not name.strip():
            raise CommandError("Give the token a name (--name).")
        _token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
