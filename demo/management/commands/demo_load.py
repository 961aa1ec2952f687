import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contracts.models import Allotment, Contract
from organizations.models import Membership, Organization, Role
from plans.models import Plan

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

# Reference, customer, seats per plan code, manager. Neither is connected:
# ACME-2027 is for flow 1 (Alice administers Acme), GLOBEX-2027 for flow 2
# (Dave is not in Globex; Erin connects it with his key).
CONTRACTS = [
    (
        "ACME-2027",
        "Acme",
        {"professional": 10, "reader-plus": 5},
        "alice@acme.example",
    ),
    ("GLOBEX-2027", "Globex", {"professional": 3}, "dave@globex.example"),
]
# In force for a year around the day the demo is first loaded.
CONTRACT_DAYS_BEFORE = 182
CONTRACT_DAYS_AFTER = 183


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
        for reference, customer, seats, manager in CONTRACTS:
            _contract(reference, customer, seats, users[manager])

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


def _contract(reference, customer, seats, manager):
    today = timezone.localdate()
    contract, _created = Contract.objects.get_or_create(
        reference=reference,
        defaults={
            "customer": customer,
            "starts_on": today - datetime.timedelta(days=CONTRACT_DAYS_BEFORE),
            "ends_on": today + datetime.timedelta(days=CONTRACT_DAYS_AFTER),
        },
    )
    contract.managers.add(manager)
    for code, count in seats.items():
        Allotment.objects.get_or_create(
            contract=contract,
            plan=Plan.objects.get(code=code),
            defaults={"seats": count},
        )
