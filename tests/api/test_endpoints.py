"""The REST API through the real stack: the Django test client with a
bearer token, every endpoint, with the pages' rules of who sees what."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import Scope
from contracts.models import Event, EventKind, Seat
from tests.api.conftest import api_client, token_for
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def url(seeded, tail: str = "") -> str:
    return f"{BASE}/organizations/{seeded.organization.pk}{tail}"


def test_organizations_lists_the_token_owners_organizations_only(seeded):
    client = api_client(token_for(seeded.admin.user))
    response = client.get(f"{BASE}/organizations")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": seeded.organization.pk,
            "name": seeded.organization.name,
            "role": "administrator",
        }
    ]
    detail = client.get(url(seeded))
    assert detail.status_code == 200
    assert detail.json()["id"] == seeded.organization.pk


def test_another_tenants_organization_and_member_are_404(seeded):
    client = api_client(token_for(seeded.other_admin.user))
    member = seeded.members[0]
    for path in (
        "",
        "/members",
        f"/members/{member.pk}/plan",
        f"/members/{member.pk}/plan/preview?plan=free",
        "/contract",
        "/events",
        "/groups",
    ):
        response = client.get(url(seeded, path))
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
        assert seeded.organization.name not in response.content.decode()
    put = client.put(
        url(seeded, f"/members/{member.pk}/plan"),
        {"plan": "free"},
        content_type="application/json",
    )
    assert put.status_code == 404
    assert Seat.objects.filter(user=member.user).exists()


def test_a_member_of_another_organization_is_404_with_the_right_organization(
    seeded,
):
    """The member id is looked up within the organization in the URL."""
    stranger = MembershipFactory(organization=seeded.other_organization)
    client = api_client(token_for(seeded.admin.user))
    response = client.get(url(seeded, f"/members/{stranger.pk}/plan"))
    assert response.status_code == 404


def test_members_list_shows_plans_and_filters_by_plan_and_search(seeded):
    client = api_client(token_for(seeded.collaborator.user, Scope.READ))
    response = client.get(url(seeded, "/members"))
    assert response.status_code == 200
    body = response.json()
    emails = [item["email"] for item in body["items"]]
    assert emails == sorted(emails)
    assert len(emails) == 8
    assert body["next_cursor"] is None
    by_email = {item["email"]: item for item in body["items"]}
    assert by_email["m00@a.test"]["plan"]["code"] == "professional"
    assert by_email["m00@a.test"]["plan_source"] == "manual"
    assert by_email["m04@a.test"]["plan"]["code"] == "free"

    starter = client.get(url(seeded, "/members"), {"plan": "starter"}).json()
    assert {item["email"] for item in starter["items"]} >= {"m01@a.test"}
    assert all(item["plan"]["code"] == "starter" for item in starter["items"])

    searched = client.get(url(seeded, "/members"), {"q": "M03@A"}).json()
    assert [item["email"] for item in searched["items"]] == ["m03@a.test"]

    unknown = client.get(url(seeded, "/members"), {"plan": "no-such-plan"})
    assert unknown.status_code == 422
    assert "no-such-plan" in unknown.json()["detail"]


def test_member_plan_get_for_any_member(seeded):
    client = api_client(token_for(seeded.reader.user, Scope.READ))
    member = seeded.members[0]
    response = client.get(url(seeded, f"/members/{member.pk}/plan"))
    assert response.status_code == 200
    body = response.json()
    assert body["member_id"] == member.pk
    assert body["plan"]["code"] == "professional"
    assert body["seat"]["plan"]["code"] == "professional"
    assert body["seat"]["source"] == "manual"
    free = client.get(url(seeded, f"/members/{seeded.members[4].pk}/plan")).json()
    assert free["plan"]["code"] == "free"
    assert free["seat"] is None


def test_plan_put_gives_a_plan_with_the_dropdowns_service(seeded):
    client = api_client(token_for(seeded.admin.user))
    member = seeded.members[4]
    response = client.put(
        url(seeded, f"/members/{member.pk}/plan"),
        {"plan": "professional"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["code"] == "professional"
    seat = Seat.objects.get(contract=seeded.contract, user=member.user)
    assert seat.plan.code == "professional"
    assert Event.objects.filter(
        kind=EventKind.SEAT_ASSIGNED, member=member.user, actor=seeded.admin.user
    ).exists()


def test_plan_put_when_seats_run_out_is_409_and_changes_nothing(seeded):
    client = api_client(token_for(seeded.admin.user))
    # One professional seat of two is in use: the next takes the last.
    first, second = seeded.members[3], seeded.members[4]
    assert (
        client.put(
            url(seeded, f"/members/{first.pk}/plan"),
            {"plan": "professional"},
            content_type="application/json",
        ).status_code
        == 200
    )
    response = client.put(
        url(seeded, f"/members/{second.pk}/plan"),
        {"plan": "professional"},
        content_type="application/json",
    )
    assert response.status_code == 409
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert problem["status"] == 409
    assert problem["title"] == "Conflict"
    assert problem["detail"]
    assert not Seat.objects.filter(user=second.user, plan__code="professional").exists()


def test_plan_put_take_back_writes_history_and_sends_the_impact_email(
    seeded, django_capture_on_commit_callbacks
):
    client = api_client(token_for(seeded.admin.user))
    member = seeded.members[0]
    survey = SurveyFactory(
        owner=member.user, organization=seeded.organization, open=True
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            url(seeded, f"/members/{member.pk}/plan"),
            {"plan": "free"},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert response.json()["plan"]["code"] == "free"
    assert response.json()["seat"] is None
    assert not Seat.objects.filter(user=member.user).exists()
    assert Event.objects.filter(
        kind=EventKind.SEAT_RELEASED, member=member.user, actor=seeded.admin.user
    ).exists()
    assert [message.to for message in mail.outbox] == [[member.user.email]]
    assert "was taken back" in mail.outbox[0].body
    # The impact: the survey the lower plan makes inactive is named.
    assert survey.title in mail.outbox[0].body


def test_plan_put_refusals(seeded):
    write = api_client(token_for(seeded.admin.user))
    member = seeded.members[4]
    path = url(seeded, f"/members/{member.pk}/plan")
    unknown = write.put(path, {"plan": "gold"}, content_type="application/json")
    assert unknown.status_code == 422
    assert "gold" in unknown.json()["detail"]
    missing = write.put(path, {}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"]
    # Not an administrator: 404, as the page's POST.
    collaborator = api_client(token_for(seeded.collaborator.user))
    assert (
        collaborator.put(
            path, {"plan": "starter"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert not Seat.objects.filter(user=member.user).exists()


def test_preview_names_the_surveys_a_lower_plan_makes_inactive(seeded):
    member = seeded.members[0]
    survey = SurveyFactory(
        owner=member.user, organization=seeded.organization, open=True
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    response = client.get(
        url(seeded, f"/members/{member.pk}/plan/preview"), {"plan": "free"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["plan"]["code"] == "free"
    assert body["surveys_deactivated"] == [
        {"id": survey.pk, "title": survey.title, "response_count": 120}
    ]
    higher = client.get(
        url(seeded, f"/members/{member.pk}/plan/preview"), {"plan": "professional"}
    ).json()
    assert higher["surveys_deactivated"] == []
    # Administrators only, as the page's confirmation.
    reader = api_client(token_for(seeded.reader.user, Scope.READ))
    assert (
        reader.get(
            url(seeded, f"/members/{member.pk}/plan/preview"), {"plan": "free"}
        ).status_code
        == 404
    )


def test_contract_shows_seats_per_plan_in_use_and_left(seeded):
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    response = client.get(url(seeded, "/contract"))
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == seeded.contract.reference
    assert body["in_force"] is True
    allotments = {row["plan"]["code"]: row for row in body["allotments"]}
    assert allotments["professional"] == {
        "plan": {"code": "professional", "name": "Professional"},
        "seats": 2,
        "in_use": 1,
        "left": 1,
    }
    assert allotments["starter"]["in_use"] >= 1
    member = api_client(token_for(seeded.collaborator.user, Scope.READ))
    assert member.get(url(seeded, "/contract")).status_code == 404


def test_contract_without_one_connected_is_404(seeded):
    client = api_client(token_for(seeded.other_admin.user, Scope.READ))
    response = client.get(
        f"{BASE}/organizations/{seeded.other_organization.pk}/contract"
    )
    assert response.status_code == 404
    assert "No contract" in response.json()["detail"]


def test_events_newest_first_with_since(seeded):
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    response = client.get(url(seeded, "/events"))
    assert response.status_code == 200
    items = response.json()["items"]
    kinds = [item["kind"] for item in items]
    assert "connected" in kinds and "seat_assigned" in kinds
    times = [item["created_at"] for item in items]
    assert times == sorted(times, reverse=True)
    later = timezone.now() + datetime.timedelta(seconds=1)
    Event.objects.filter(pk=items[0]["id"]).update(
        created_at=later + datetime.timedelta(minutes=1)
    )
    recent = client.get(url(seeded, "/events"), {"since": later.isoformat()}).json()
    assert [item["id"] for item in recent["items"]] == [items[0]["id"]]
    member = api_client(token_for(seeded.collaborator.user, Scope.READ))
    assert member.get(url(seeded, "/events")).status_code == 404


def test_groups_with_member_count_and_plan(seeded):
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    response = client.get(url(seeded, "/groups"))
    assert response.status_code == 200
    [group] = response.json()
    assert group["id"] == seeded.group.pk
    assert group["name"] == "Analysts"
    assert group["member_count"] == 2
    assert group["plan"]["code"] == "starter"
    member = api_client(token_for(seeded.collaborator.user, Scope.READ))
    assert member.get(url(seeded, "/groups")).status_code == 404


def test_a_bad_cursor_is_422(seeded):
    client = api_client(token_for(seeded.admin.user))
    for cursor in ("nonsense", "W10", "WyJhIiwgLTFd", "!!"):
        response = client.get(url(seeded, "/members"), {"cursor": cursor})
        assert response.status_code == 422, cursor
        response = client.get(url(seeded, "/events"), {"cursor": cursor})
        assert response.status_code == 422, cursor


def test_list_queries_do_not_grow_with_rows(seeded):
    """A page of members, of events or the groups costs the same queries
    whether the organization has 8 members or 38."""
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    paths = ("/members?limit=100", "/events?limit=100", "/groups")

    def counts() -> list[int]:
        found = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url(seeded, path)).status_code == 200
            found.append(len(captured))
        return found

    # The token's first use also writes its last use, once.
    client.get(url(seeded))
    before = counts()
    for i in range(30):
        member = MembershipFactory(
            organization=seeded.organization, user__email=f"n{i:02d}@a.test"
        )
        seeded.group.members.add(member)
        Event.objects.create(
            kind=EventKind.SEAT_CHANGED,
            organization=seeded.organization,
            actor=seeded.admin.user,
            member=member.user,
            plan=seeded.contract.allotments.first().plan,
        )
    assert counts() == before


def test_a_suspended_member_is_listed_as_inactive_and_cannot_get_a_plan(seeded):
    member = seeded.members[4]
    member.is_active = False
    member.save()
    client = api_client(token_for(seeded.admin.user))
    listed = client.get(url(seeded, "/members"), {"q": member.user.email}).json()
    assert [item["active"] for item in listed["items"]] == [False]
    response = client.put(
        url(seeded, f"/members/{member.pk}/plan"),
        {"plan": "starter"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert not Seat.objects.filter(user=member.user).exists()
