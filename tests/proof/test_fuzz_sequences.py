"""Replayed and reordered posts: the same valid post sent twice, steps sent
in an order the pages never offer, and hypothesis driving the flows of
tenant A in any order, with replays.

After every request: no 5xx; a refused request changes nothing (apart from
what a refusal records on purpose: a wrong connection key, a plan asked
for); the domain's invariants hold.
"""

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from contracts.models import Event, EventKind, Seat
from organizations.models import Role
from surveys.models import Invitation, Response, SurveyStatus
from tests.proof.scenario import Scenario, scenario_kept
from tests.proof.state import changes, invariants_check, refused, snapshot
from tests.surveys.factories import responses_add

KEY_PATTERN = re.compile(r"SEAT(-[0-9A-Z]{4}){9}")
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    with scenario_kept(django_db_blocker) as built:
        yield built


def fresh(obj):
    """The row as it is now, in a new instance: the scenario's objects are
    shared by the module's tests and must not carry one test's changes."""
    return type(obj).objects.get(pk=obj.pk)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def checked(response, before: dict) -> bool:
    """No 5xx; nothing changed if refused. Returns whether it was refused."""
    assert response.status_code < 500
    if refused(response):
        assert not changes(before, snapshot()), response
        return True
    invariants_check()
    return False


def answers(tenant) -> dict:
    questions = tenant.questions
    return {
        f"q{questions['choice'].pk}": questions["choice"].options.first().pk,
        f"q{questions['rating'].pk}": 4,
        f"q{questions['text'].pk}": "Fine",
    }


def form_token(client: Client, url: str) -> str:
    return FORM_TOKEN.search(client.get(url).text)[1]


# Posts sent twice, and steps out of order


class TestReplays:
    def test_a_connection_key_without_choosing_first_connects(self, scenario):
        """The key form needs no earlier step: posting it straight away
        connects, and posting it again is answered like the first time."""
        a = scenario.a
        client = client_for(a.admin)
        client.post(reverse("contracts:disconnect", args=[a.organization.pk]))
        url = reverse("contracts:connect-key", args=[a.organization.pk])
        for _attempt in range(2):
            response = client.post(url, {"key": a.key_plaintext})
            assert response.status_code == 302
            assert fresh(a.contract).organization == a.organization
        assert Event.objects.filter(kind=EventKind.KEY_USED).count() == 1

    def test_a_key_of_a_contract_connected_elsewhere_is_refused_and_recorded(
        self, scenario
    ):
        a, b = scenario.a, scenario.b
        client_for(a.admin).post(
            reverse("contracts:disconnect", args=[a.organization.pk])
        )
        before = snapshot()
        url = reverse("contracts:connect-key", args=[a.organization.pk])
        response = client_for(a.admin).post(url, {"key": b.key_plaintext})
        assert response.status_code == 409
        assert "already connected to another organization" in response.text
        assert not changes(before, snapshot())
        assert Event.objects.filter(kind=EventKind.KEY_REJECTED).count() == 1

    def test_a_used_key_is_refused_for_anyone_else_and_after_disconnecting(
        self, scenario
    ):
        a, b = scenario.a, scenario.b
        admin = client_for(a.admin)
        admin.post(reverse("contracts:disconnect", args=[a.organization.pk]))
        url = reverse("contracts:connect-key", args=[a.organization.pk])
        assert admin.post(url, {"key": a.key_plaintext}).status_code == 302
        # B (disconnected too, so that only the key can be wrong).
        client_for(b.admin).post(
            reverse("contracts:disconnect", args=[b.organization.pk])
        )
        before = snapshot()
        response = client_for(b.admin).post(
            reverse("contracts:connect-key", args=[b.organization.pk]),
            {"key": a.key_plaintext},
        )
        assert response.status_code == 422
        assert "already been used" in response.text
        assert not changes(before, snapshot())
        admin.post(reverse("contracts:disconnect", args=[a.organization.pk]))
        before = snapshot()
        response = admin.post(url, {"key": a.key_plaintext})
        assert response.status_code == 422
        assert not changes(before, snapshot())

    def test_connecting_twice_connects_once(self, scenario):
        a = scenario.a
        admin = client_for(a.admin)
        admin.post(reverse("contracts:disconnect", args=[a.organization.pk]))
        url = reverse("contracts:connect", args=[a.organization.pk])
        data = {"contract": a.spare_contract.pk}
        assert admin.post(url, data).status_code == 302
        assert admin.post(url, data).status_code == 302
        assert Event.objects.filter(kind=EventKind.CONNECTED).count() == 3

    def test_disconnecting_twice_disconnects_once(self, scenario):
        a = scenario.a
        admin = client_for(a.admin)
        url = reverse("contracts:disconnect", args=[a.organization.pk])
        admin.post(url)
        before = snapshot()
        assert admin.post(url).status_code == 302
        assert not changes(before, snapshot())

    def test_a_downgrade_confirmed_without_the_preview_is_applied_once(self, scenario):
        """The preview protects people from surprises, not the data: an
        administrator who posts the confirmation straight away takes the
        plan back, and the same post again changes nothing."""
        a = scenario.a
        responses_add(fresh(a.survey), 100)
        admin = client_for(a.admin)
        url = reverse(
            "contracts:member-plan",
            args=[a.organization.pk, a.collaborator_membership.pk],
        )
        before = snapshot()
        preview = admin.post(url, {"plan": "free"})
        assert preview.status_code == 200
        assert a.survey.title in preview.text
        assert not changes(before, snapshot())
        assert admin.post(url, {"plan": "free", "confirmed": "1"}).status_code == 302
        assert not Seat.objects.filter(pk=a.seat.pk).exists()
        before = snapshot()
        assert admin.post(url, {"plan": "free", "confirmed": "1"}).status_code == 302
        assert not changes(before, snapshot())
        released = Event.objects.filter(kind=EventKind.SEAT_RELEASED)
        assert released.count() == 1

    def test_freeing_a_seat_twice_frees_it_once(self, scenario):
        a = scenario.a
        url = reverse("contracts:seat-release", args=[a.contract.pk, a.seat.pk])
        manager = client_for(a.manager)
        manager.post(url)
        before = snapshot()
        assert manager.post(url).status_code == 302
        assert not changes(before, snapshot())

    def test_adding_the_same_member_twice_is_refused_the_second_time(self, scenario):
        a = scenario.a
        url = reverse("contracts:member-add", args=[a.organization.pk])
        data = {"email": "twice@alpha-people.example", "role": Role.READER}
        admin = client_for(a.admin)
        assert admin.post(url, data).status_code == 302
        before = snapshot()
        assert admin.post(url, data).status_code == 422
        assert not changes(before, snapshot())

    def test_an_invitation_form_sent_twice_is_saved_once(self, scenario):
        a = scenario.a
        url = reverse("surveys:respond-invitation", args=[a.invitation.token])
        respondent = Client()
        data = {**answers(a), "form_token": form_token(respondent, url)}
        assert respondent.post(url, data).status_code == 302
        before = snapshot()
        response = respondent.post(url, data)
        assert "Each personal link works once" in response.text
        assert not changes(before, snapshot())
        assert Response.objects.filter(invitation=a.invitation).count() == 1

    def test_a_link_form_token_serves_one_response_past_the_limit(self, scenario):
        """A form served while the survey was active is kept even if the
        limit is reached meanwhile; the same form sent again is a new
        arrival, and the limit refuses it."""
        a = scenario.a
        client_for(a.admin).post(
            reverse(
                "contracts:member-plan",
                args=[a.organization.pk, a.collaborator_membership.pk],
            ),
            {"plan": "free", "confirmed": "1"},
        )
        url = reverse("surveys:respond-link", args=[a.link.token])
        respondent = Client()
        data = {**answers(a), "form_token": form_token(respondent, url)}
        survey = fresh(a.survey)
        responses_add(survey, 100 - survey.response_count)
        assert respondent.post(url, data).status_code == 302
        before = snapshot()
        response = respondent.post(url, data)
        assert response.status_code == 409
        assert "inactive" in response.text
        assert not changes(before, snapshot())

    def test_a_link_form_sent_twice_below_the_limit_counts_twice(self, scenario):
        """Below the limit anyone with the link may answer, and a link
        cannot tell one respondent from another: a second post is a second
        response."""
        a = scenario.a
        url = reverse("surveys:respond-link", args=[a.link.token])
        respondent = Client()
        data = {**answers(a), "form_token": form_token(respondent, url)}
        assert respondent.post(url, data).status_code == 302
        assert respondent.post(url, data).status_code == 302
        assert fresh(a.survey).response_count == 5

    def test_a_form_of_a_survey_closed_meanwhile_is_refused(self, scenario):
        a = scenario.a
        url = reverse("surveys:respond-link", args=[a.link.token])
        respondent = Client()
        data = {**answers(a), "form_token": form_token(respondent, url)}
        client_for(a.collaborator).post(
            reverse("surveys:survey-status", args=[a.survey.pk]), {"action": "close"}
        )
        before = snapshot()
        assert respondent.post(url, data).status_code == 409
        assert not changes(before, snapshot())


# Hypothesis: the flows in any order, with replays


class Flows(RuleBasedStateMachine):
    """Tenant A's administrator, contract manager, survey owner and
    respondents acting in any order; any post may be sent again."""

    scenario: Scenario

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        cache.clear()
        a = self.scenario.a
        self.a = a
        self.clients = {
            "admin": client_for(a.admin),
            "manager": client_for(a.manager),
            "owner": client_for(a.collaborator),
            "respondent": Client(),
        }
        self.keys = [a.key_plaintext, self.scenario.b.key_plaintext]
        self.seat_ids = [a.seat.pk, self.scenario.b.seat.pk]
        self.form_tokens = []
        self.last = None

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def send(self, actor: str, name: str, args: list, data: dict | None = None):
        url = reverse(name, args=args)
        self.last = (actor, url, data or {})
        return self.post(*self.last)

    def post(self, actor: str, url: str, data: dict):
        before = snapshot()
        response = self.clients[actor].post(url, data)
        checked(response, before)
        return response

    @rule(choice=st.sampled_from(["spare", "own", "other tenant's", "key", "junk"]))
    def connect(self, choice):
        contracts = {
            "spare": self.a.spare_contract.pk,
            "own": self.a.contract.pk,
            "other tenant's": self.scenario.b.contract.pk,
            "key": "key",
            "junk": "²",
        }
        self.send(
            "admin",
            "contracts:connect",
            [self.a.organization.pk],
            {"contract": contracts[choice]},
        )

    @rule(index=st.integers(min_value=0, max_value=20))
    def connect_key(self, index):
        key = self.keys[index % len(self.keys)]
        self.send(
            "admin", "contracts:connect-key", [self.a.organization.pk], {"key": key}
        )

    @rule()
    def disconnect(self):
        self.send("admin", "contracts:disconnect", [self.a.organization.pk])

    @rule(enabled=st.booleans())
    def auto_assign(self, enabled):
        self.send(
            "admin",
            "contracts:auto-assign",
            [self.a.organization.pk],
            {"enabled": "on"} if enabled else {},
        )

    @rule()
    def generate_key(self):
        response = self.send("manager", "contracts:key-generate", [self.a.contract.pk])
        found = KEY_PATTERN.search(response.text)
        if found:
            self.keys.append(found[0])

    @rule(
        member=st.sampled_from(["collaborator", "reader", "admin"]),
        plan=st.sampled_from(["free", "starter", "professional", "reader-plus"]),
        confirmed=st.booleans(),
    )
    def member_plan(self, member, plan, confirmed):
        membership = getattr(self.a, f"{member}_membership")
        data = {"plan": plan, **({"confirmed": "1"} if confirmed else {})}
        self.send(
            "admin",
            "contracts:member-plan",
            [self.a.organization.pk, membership.pk],
            data,
        )
        seat = Seat.objects.filter(user=membership.user).first()
        if seat is not None and seat.pk not in self.seat_ids:
            self.seat_ids.append(seat.pk)

    @rule(
        members=st.lists(
            st.sampled_from(["collaborator", "reader", "admin"]),
            min_size=1,
            max_size=3,
            unique=True,
        ),
        plan=st.sampled_from(["professional", "reader-plus", "free"]),
    )
    def bulk_plan(self, members, plan):
        ids = [getattr(self.a, f"{member}_membership").pk for member in members]
        self.send(
            "admin",
            "contracts:member-bulk-plan",
            [self.a.organization.pk],
            {"bulk-members": ids, "bulk-plan": plan},
        )

    @rule(
        member=st.sampled_from(["collaborator", "reader", "admin"]),
        role=st.sampled_from(Role.values),
    )
    def member_role(self, member, role):
        membership = getattr(self.a, f"{member}_membership")
        self.send(
            "admin",
            "contracts:member-role",
            [self.a.organization.pk, membership.pk],
            {"role": role},
        )

    @rule(member=st.sampled_from(["collaborator", "reader", "admin"]))
    def member_remove(self, member):
        membership = getattr(self.a, f"{member}_membership")
        self.send(
            "admin", "contracts:member-remove", [self.a.organization.pk, membership.pk]
        )

    @rule(index=st.integers(min_value=0, max_value=20))
    def seat_release(self, index):
        seat_id = self.seat_ids[index % len(self.seat_ids)]
        self.send("manager", "contracts:seat-release", [self.a.contract.pk, seat_id])

    @rule(action=st.sampled_from(["open", "close"]), draft=st.booleans())
    def survey_status(self, action, draft):
        survey = self.a.draft if draft else self.a.survey
        self.send("owner", "surveys:survey-status", [survey.pk], {"action": action})

    @rule(count=st.sampled_from([1, 50, 100]))
    def responses_arrive(self, count):
        """Respondents who are not watched, to reach the Free limit."""
        survey = fresh(self.a.survey)
        if survey.status == SurveyStatus.OPEN:
            responses_add(survey, count, answers=False)

    @rule()
    def respondent_opens_the_form(self):
        url = reverse("surveys:respond-link", args=[self.a.link.token])
        response = self.clients["respondent"].get(url)
        assert response.status_code < 500
        found = FORM_TOKEN.search(response.text)
        if found:
            self.form_tokens.append(found[1])

    @precondition(lambda self: self.form_tokens)
    @rule(index=st.integers(min_value=0, max_value=20))
    def respondent_sends_a_form(self, index):
        token = self.form_tokens[index % len(self.form_tokens)]
        self.send(
            "respondent",
            "surveys:respond-link",
            [self.a.link.token],
            {**answers(self.a), "form_token": token},
        )

    @rule()
    def invited_respondent_answers(self):
        url = reverse("surveys:respond-invitation", args=[self.a.invitation.token])
        response = self.clients["respondent"].get(url)
        found = FORM_TOKEN.search(response.text)
        data = {**answers(self.a), "form_token": found[1] if found else ""}
        self.last = ("respondent", url, data)
        self.post(*self.last)

    @precondition(lambda self: self.last is not None)
    @rule()
    def replay(self):
        """The last post, sent again as it was."""
        self.post(*self.last)

    @invariant()
    def invitations_answer_once(self):
        used = Invitation.objects.filter(pk=self.a.invitation.pk, used_at__isnull=False)
        assert Response.objects.filter(invitation=self.a.invitation).count() == (
            1 if used.exists() else 0
        )


def test_the_flows_in_any_order_with_replays(scenario, db):
    Flows.scenario = scenario
    run_state_machine_as_test(
        Flows,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
            ],
        ),
    )
