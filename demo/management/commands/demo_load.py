from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from organizations.models import Membership, Organization, Role

PASSWORD = "demo"  # noqa: S105 (the demo logins are public)

LOGINS = [
    ("alice@acme.example", "Alice Martin", "Acme administrator, manages ACME-2027"),
    ("bob@acme.example", "Bob Bernard", "Acme collaborator with surveys"),
    ("carol@acme.example", "Carol Petit", "Acme reader"),
    ("dave@globex.example", "Dave Durand", "manages GLOBEX-2027, not in Globex"),
    ("erin@globex.example", "Erin Moreau", "Globex administrator"),
    ("support@example.com", "Support", "staff, for /admin/"),
]

EXTRA_ACME_MEMBERS = 40


class Command(BaseCommand):
    help = "Load the demo data of the quick start; loading it twice changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {email: _user(email, name) for email, name, _note in LOGINS}
        support = users["support@example.com"]
        if not support.is_staff:
            support.is_staff = support.is_superuser = True
            support.save(update_fields=["is_staff", "is_superuser"])

        acme = _organization("Acme")
        globex = _organization("Globex")
        _member(acme, users["alice@acme.example"], Role.ADMINISTRATOR)
        _member(acme, users["bob@acme.example"], Role.COLLABORATOR)
        _member(acme, users["carol@acme.example"], Role.READER)
        _member(globex, users["erin@globex.example"], Role.ADMINISTRATOR)
        for number in range(1, EXTRA_ACME_MEMBERS + 1):
            user = _user(f"member{number:02d}@acme.example", f"Member {number:02d}")
            role = Role.READER if number % 4 == 0 else Role.COLLABORATOR
            _member(acme, user, role)

        self.stdout.write("Demo logins (password: demo):")
        for email, _name, note in LOGINS:
            self.stdout.write(f"  {email:<24} {note}")


def _user(email, full_name):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name}
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


def _organization(name):
    return Organization.objects.get_or_create(name=name)[0]


def _member(organization, user, role):
    Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
