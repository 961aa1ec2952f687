import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from contracts.models import Allotment, Contract, Seat, SeatSource
from contracts.services.seat_counter import seats_used_add
from organizations.models import Membership, Organization, Role
from plans.models import Plan
from surveys import services as survey_services
from surveys.models import (
    Answer,
    Channel,
    Distribution,
    Invitation,
    QuestionKind,
    Response,
    Survey,
)

PASSWORD = "demo"  # noqa: S105 (the demo logins are public)

LOGINS = [
    ("alice@acme.example", "Alice Martin", "Acme administrator, manages ACME-2027"),
    (
        "bob@acme.example",
        "Bob Bernard",
        "Acme collaborator with surveys and a Professional plan",
    ),
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
        contracts = {
            reference: _contract(reference, customer, seats, users[manager])
            for reference, customer, seats, manager in CONTRACTS
        }
        # Bob holds a Professional plan from before the contract is connected
        # (given by support), so his 120-response survey is live until an
        # administrator gives him Free (flow 5).
        _seat, created = Seat.objects.get_or_create(
            contract=contracts["ACME-2027"],
            user=users["bob@acme.example"],
            defaults={
                "plan": Plan.objects.get(code="professional"),
                "source": SeatSource.SUPPORT,
                "assigned_by": support,
            },
        )
        if created:
            seats_used_add(
                contract_id=_seat.contract_id, plan_id=_seat.plan_id, delta=1
            )

        _surveys(users["bob@acme.example"], acme)

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
    return contract


# Bob's surveys in Acme: one sent by link with 120 responses (over the Free
# limit: inactive while Bob has no plan), one sent by email with 20, one
# draft. Each is made once; loading again finds it by its title.

QUESTIONS = [
    (QuestionKind.RATING, "How satisfied are you overall?", []),
    (
        QuestionKind.CHOICE,
        "How did you hear about us?",
        ["A colleague", "A search engine", "An event", "Somewhere else"],
    ),
    (QuestionKind.TEXT, "What should we improve?", []),
]
IMPROVEMENTS = [
    "Faster delivery.",
    "Clearer invoices.",
    "More payment options.",
    "Nothing, keep it up!",
    "A mobile app.",
]


def _surveys(owner, organization):
    link_survey = _survey(owner, organization, "Customer satisfaction 2027")
    if link_survey is not None:
        survey_services.survey_open(survey=link_survey, actor=owner)
        survey_services.link_create(survey=link_survey, actor=owner)
        _responses(link_survey, 120, channel=Channel.LINK)

    email_survey = _survey(owner, organization, "Team offsite feedback")
    if email_survey is not None:
        survey_services.survey_open(survey=email_survey, actor=owner)
        distribution = Distribution.objects.create(
            survey=email_survey, channel=Channel.EMAIL, created_by=owner
        )
        invitations = Invitation.objects.bulk_create(
            Invitation(
                survey=email_survey,
                distribution=distribution,
                email=f"member{number:02d}@acme.example",
            )
            for number in range(1, 26)
        )
        _responses(email_survey, 20, channel=Channel.EMAIL, invitations=invitations)

    _survey(owner, organization, "Product ideas")


def _survey(owner, organization, title):
    """A new survey with the demo questions, or None when it exists."""
    if Survey.objects.filter(
        owner=owner, organization=organization, title=title
    ).exists():
        return None
    survey = survey_services.survey_create(
        owner=owner, organization=organization, title=title
    )
    for kind, text, options in QUESTIONS:
        survey_services.question_add(
            survey=survey,
            kind=kind,
            text=text,
            options=options,
            required=kind != QuestionKind.TEXT,
        )
    survey.refresh_from_db()
    return survey


def _responses(survey, count, *, channel, invitations=()):
    """Responses in bulk, varied but the same at every load."""
    rng = random.Random(survey.title)  # noqa: S311 (demo data)
    now = timezone.now()
    questions = list(survey.questions.prefetch_related("options"))
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            channel=channel,
            invitation=invitations[number] if invitations else None,
            submitted_at=now
            - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 30)),
        )
        for number in range(count)
    )
    answers = []
    for response in responses:
        for question in questions:
            answer = Answer(response=response, question=question)
            if question.kind == QuestionKind.RATING:
                answer.rating = rng.choices(range(1, 6), weights=[1, 2, 4, 8, 6])[0]
            elif question.kind == QuestionKind.CHOICE:
                answer.option = rng.choice(list(question.options.all()))
            elif rng.random() < 0.6:
                answer.text = rng.choice(IMPROVEMENTS)
            else:
                continue
            answers.append(answer)
    Answer.objects.bulk_create(answers, batch_size=1000)
    for invitation in invitations[:count]:
        invitation.used_at = now
    Invitation.objects.bulk_update(invitations[:count], ["used_at"])
    Survey.objects.filter(pk=survey.pk).update(
        response_count=F("response_count") + count
    )
