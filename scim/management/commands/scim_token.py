"""Print a new SCIM token for an organization, for automation and tests:

python manage.py scim_token --organization "Acme"
"""

from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from scim import services


class Command(BaseCommand):
    help = "Create a SCIM 2.0 bearer token for an organization and print it."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Its exact name.")
        parser.add_argument("--name", default="manage.py scim_token")

    def handle(self, *args, organization, name, **options):
        found = list(Organization.objects.filter(name=organization)[:2])
        if not found:
            raise CommandError(f"No organization is named {organization!r}.")
        if len(found) > 1:
            raise CommandError(
                f"Several organizations are named {organization!r}: "
                "rename one in the admin first."
            )
        _, plaintext = services.scim_token_create(
            organization=found[0], name=name, actor=None
        )
        self.stdout.write(plaintext)
