import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from api.models import Scope
from api.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The user's email.")
        parser.add_argument(
            "--scope", choices=[choice.value for choice in Scope], default=Scope.READ
        )
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Default: never."
        )
        parser.add_argument("--name", default="Command line")

    def handle(self, *args, user, scope, expires_days, name, **options):
        owner = User.objects.filter(email__iexact=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user has the email {user}.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = (
            timezone.now() + datetime.timedelta(days=expires_days)
            if expires_days
            else None
        )
        _token, plaintext = api_token_create(
            user=owner, name=name, scope=scope, expires_at=expires_at
        )
        self.stdout.write(plaintext)
