"""Two tenants, A and B, built alike, for the access matrix and the fuzzing.

Each organization has an administrator, a collaborator (who owns its
surveys and holds a seat) and a reader; a contract with seats, managed by
someone outside the organization and connected to it, with a connection key
and a plan request, a plan change scheduled for the reader and the seat's
holder reminded that it is idle (with their "Keep my plan" link); a spare
contract its administrator manages, not
connected; an open survey with questions, a link, an invitation and
responses; and a draft survey. Their names, emails, titles and references
are distinctive, so that a page showing one tenant's data to someone who
should not see it is caught by a substring search.

The scenario is built once per test module, inside a transaction rolled
back at the end of the module; each test then runs in its own savepoint
(pytest-django's `db`), so what one test changes no other test sees.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from contracts import services as contract_services
from contracts.keep_links import keep_token
from contracts.models import (
    ConnectionKey,
    Contract,
    PlanRequest,
    ScheduledChange,
    Seat,
)
from organizations.models import Group, Membership, Organization
from plans.models import Feature
from surveys.models import Distribution, Invitation, Question, Survey
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import (
    SurveyFactory,
    invitation_add,
    link_add,
    questions_add,
    responses_add,
)


@dataclass(repr=False)
class Tenant:
    label: str
    organization: Organization
    admin: User
    collaborator: User
    reader: User
    manager: User
    admin_membership: Membership
    collaborator_membership: Membership
    reader_membership: Membership
    contract: Contract
    spare_contract: Contract
    seat: Seat
    key: ConnectionKey
    key_plaintext: str
    plan_request: PlanRequest
    scheduled_change: ScheduledChange
    keep_token: str
    survey: Survey
    questions: dict[str, Question]
    link: Distribution
    invitation: Invitation
    draft: Survey
    draft_questions: dict[str, Question]
    group: Group

    def __repr__(self):
        return f"<Tenant {self.label}>"

    def _repr_pretty_(self, printer, cycle):
        # How hypothesis prints a failing example's arguments.
        printer.text(repr(self))

    def secrets(self) -> list[str]:
        """What nobody outside this tenant may read on a page: the
        organization's name, its people's emails, its surveys' titles, its
        contracts' references."""
        return [
            self.organization.name,
            self.admin.email,
            self.collaborator.email,
            self.reader.email,
            self.manager.email,
            self.invitation.email,
            self.survey.title,
            self.draft.title,
            self.contract.reference,
            self.spare_contract.reference,
        ]


@dataclass(repr=False)
class Scenario:
    a: Tenant
    b: Tenant
    outsider: User
    staff: User

    def __repr__(self):
        return "<Scenario A and B>"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


def tenant_build(label: str) -> Tenant:
    slug = label.lower()
    organization = OrganizationFactory(name=f"{label} Orchard Ltd")

    def member(role: str, **traits) -> Membership:
        return MembershipFactory(
            organization=organization,
            user__email=f"{slug}-{role}@{slug}-people.example",
            **traits,
        )

    admin_membership = member("admin", administrator=True)
    collaborator_membership = member("collaborator")
    reader_membership = member("reader", reader=True)
    admin = admin_membership.user
    collaborator = collaborator_membership.user
    reader = reader_membership.user
    manager = UserFactory(email=f"{slug}-manager@{slug}-contracts.example")

    contract = ContractFactory(
        reference=f"{label.upper()}-REF-7731",
        seats={"professional": 2, "reader-plus": 1},
        managers=[manager],
    )
    contract_services.contract_connect(
        organization=organization, contract=contract, actor=admin
    )
    seat = contract_services.member_plan_set(
        organization=organization,
        user=collaborator,
        plan=plan("professional"),
        actor=admin,
    )
    key, key_plaintext = contract_services.connection_key_generate(
        contract=contract, actor=manager
    )
    contract_services.plan_request_record(
        contract=contract, user=reader, feature=Feature.REPORT_EXPORT
    )
    today = timezone.localdate()
    scheduled_change = contract_services.plan_change_schedule(
        organization=organization,
        user=reader,
        plan=plan("reader-plus"),
        on=today + datetime.timedelta(days=10),
        actor=admin,
    )
    Seat.objects.filter(pk=seat.pk).update(idle_reminded_on=today)
    seat.refresh_from_db()
    spare_contract = ContractFactory(
        reference=f"{label.upper()}-SPARE-4410",
        seats={"starter": 2},
        managers=[admin],
    )

    survey = SurveyFactory(
        owner=collaborator,
        organization=organization,
        open=True,
        title=f"{label} quarterly pulse survey",
    )
    questions = questions_add(survey)
    link = link_add(survey)
    invitation = invitation_add(survey, email=f"{slug}-invitee@{slug}-people.example")
    responses_add(survey, 3)
    draft = SurveyFactory(
        owner=collaborator,
        organization=organization,
        title=f"{label} onboarding draft survey",
    )
    draft_questions = questions_add(draft)
    # A group of the collaborator, mapped to no plan: the groups pages'.
    group = contract_services.group_create(
        organization=organization,
        name=f"{label} research group",
        actor=admin,
        memberships=[collaborator_membership],
    )

    return Tenant(
        label=label,
        organization=organization,
        admin=admin,
        collaborator=collaborator,
        reader=reader,
        manager=manager,
        admin_membership=admin_membership,
        collaborator_membership=collaborator_membership,
        reader_membership=reader_membership,
        contract=contract,
        spare_contract=spare_contract,
        seat=seat,
        key=key,
        key_plaintext=key_plaintext,
        plan_request=PlanRequest.objects.get(contract=contract, user=reader),
        scheduled_change=scheduled_change,
        keep_token=keep_token(seat=seat, until=today + datetime.timedelta(days=7)),
        survey=survey,
        questions=questions,
        link=link,
        invitation=invitation,
        draft=draft,
        draft_questions=draft_questions,
        group=group,
    )


def scenario_build() -> Scenario:
    return Scenario(
        a=tenant_build("Alpha"),
        b=tenant_build("Bravo"),
        outsider=UserFactory(email="outsider@nowhere-in-particular.example"),
        staff=UserFactory(
            email="support@staff-desk.example", is_staff=True, is_superuser=True
        ),
    )


@contextmanager
def scenario_kept(django_db_blocker) -> Iterator[Scenario]:
    """The scenario, for the duration of a module: built in a transaction
    that is rolled back afterwards. Use from a module-scoped fixture."""
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast_hasher),
        transaction.atomic(),
    ):
        yield scenario_build()
        transaction.set_rollback(True)
