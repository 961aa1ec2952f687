"""Cursor pages: every row once, none missing, while rows are added
between pages."""

import pytest

from contracts.models import Event, EventKind
from tests.api.conftest import api_client, token_for
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def walk(client, url: str, *, limit: int, between=None) -> list[dict]:
    seen = []
    cursor = ""
    pages = 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        seen += body["items"]
        pages += 1
        if between is not None:
            between(pages)
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_member_pages_have_no_duplicates_or_gaps_while_members_join(seeded):
    organization = seeded.organization
    client = api_client(token_for(seeded.admin.user))
    url = f"/api/v1/organizations/{organization.pk}/members"
    before = {item["email"] for item in walk(client, url, limit=100)}
    added = []

    def join(page: int) -> None:
        # One who sorts before every page read so far (never seen), one
        # after (seen on a later page).
        first = MembershipFactory(
            organization=organization, user__email=f"aa{page:02d}@a.test"
        )
        last = MembershipFactory(
            organization=organization, user__email=f"zz{page:02d}@a.test"
        )
        added.append((first.user.email, last.user.email))

    seen = walk(client, url, limit=3, between=join)
    emails = [item["email"] for item in seen]
    assert len(emails) == len(set(emails)), "a member was shown twice"
    assert emails == sorted(emails)
    assert before <= set(emails), "a member was skipped"
    # Those who joined behind the cursor are not shown; those who joined
    # ahead of it (before the last page was read) are.
    assert {last for _first, last in added[:-1]} <= set(emails)
    assert not {first for first, _last in added} & set(emails)


def test_event_pages_have_no_duplicates_or_gaps_while_events_happen(seeded):
    organization = seeded.organization
    for i in range(10):
        Event.objects.create(
            kind=EventKind.SEAT_CHANGED, organization=organization, detail=f"old {i}"
        )
    client = api_client(token_for(seeded.admin.user))
    url = f"/api/v1/organizations/{organization.pk}/events"
    before = [item["id"] for item in walk(client, url, limit=200)]

    def happen(page: int) -> None:
        Event.objects.create(
            kind=EventKind.SEAT_CHANGED, organization=organization, detail=f"new {page}"
        )

    ids = [item["id"] for item in walk(client, url, limit=4, between=happen)]
    assert len(ids) == len(set(ids)), "an event was shown twice"
    # Newest first: events after the first page started are not in it.
    assert ids == before


def test_member_pages_follow_the_plan_filter_and_search(seeded):
    client = api_client(token_for(seeded.admin.user))
    url = f"/api/v1/organizations/{seeded.organization.pk}/members"
    for i in range(7):
        MembershipFactory(organization=seeded.organization, user__email=f"q{i}@a.test")
    seen = []
    cursor = ""
    while True:
        body = client.get(url, {"q": "q", "limit": 2, "cursor": cursor}).json()
        seen += [item["email"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == [f"q{i}@a.test" for i in range(7)]
