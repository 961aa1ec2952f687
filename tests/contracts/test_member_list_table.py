"""Issue 10 on the Members page: a plan dropdown in each row that saves on
change with the rules and the preview of a member's page (point 5), the
bulk change's preview before anything is taken away (point 1), columns
sorted from their headers, the order kept through pages, search, filter
and posts (point 6), and a query count that does not grow with the rows."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Seat
from organizations.models import Role
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.markers import ARRAYS_IN_ONE_QUERY
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 1}
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    return contract


@pytest.fixture
def bob(organization):
    return MembershipFactory(
        organization=organization,
        user=UserFactory(email="bob@acme.example", full_name="Bob Bernard"),
    )


@pytest.fixture
def carol(organization):
    return MembershipFactory(
        organization=organization,
        user=UserFactory(email="carol@acme.example", full_name="Carol Chen"),
    )


def _give(organization, member, code, actor):
    services.member_plan_set(
        organization=organization, user=member.user, plan=plan(code), actor=actor
    )


def _big_survey(member, title="Satisfaction", responses=120):
    survey = SurveyFactory(
        owner=member.user, organization=member.organization, open=True, title=title
    )
    link_add(survey)
    responses_add(survey, responses, answers=False)
    return survey


def _list_url(organization, query=""):
    url = reverse("contracts:member-list", args=[organization.pk])
    return f"{url}?{query}" if query else url


def _row_url(member, query=""):
    url = reverse(
        "contracts:member-list-plan", args=[member.organization_id, member.pk]
    )
    return f"{url}?{query}" if query else url


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _emails_in_order(response):
    return [member.user.email for member in response.context["page"].object_list]


class TestRowDropdown:
    """Point 5: each row's dropdown saves on change."""

    def test_each_row_has_a_dropdown_named_for_its_member(
        self, admin_client, contract, bob
    ):
        response = admin_client.get(_list_url(bob.organization))
        assert (
            f'<label class="visually-hidden" for="plan-{bob.pk}">Plan for Bob '
            "Bernard</label>" in response.text
        )
        row = response.text.split(f'<tr id="member-{bob.pk}"')[1].split("</tr>")[0]
        assert f'<select name="plan" id="plan-{bob.pk}"' in row
        assert '<option value="free" selected>Free</option>' in row
        assert '<option value="professional">Professional — 3 left</option>' in row
        # A real form, that works without JavaScript.
        assert f'method="post" action="{_row_url(bob)}"' in row
        assert '<noscript><button type="submit">Save</button></noscript>' in row

    def test_choosing_a_plan_saves_it_and_sends_the_row_back(
        self, admin_client, admin_user, contract, bob
    ):
        response = admin_client.post(
            _row_url(bob), {"plan": "professional"}, headers=HTMX
        )
        assert response.status_code == 200
        assert Seat.objects.get(user=bob.user).plan == plan("professional")
        assert response.text.lstrip().startswith(f'<tr id="member-{bob.pk}"')
        assert "<html" not in response.text
        assert '<span class="saved">Saved</span>' in response.text
        assert '<option value="professional" selected>' in response.text
        # The seats left and how the plan was given are fresh.
        assert "Professional — 2 left" in response.text
        assert f"by hand, by {admin_user.full_name}" in response.text

    def test_a_plan_that_ran_out_puts_the_row_back_with_the_reason(
        self, admin_client, admin_user, contract, bob, carol
    ):
        _give(bob.organization, carol, "reader-plus", admin_user)
        response = admin_client.post(
            _row_url(bob), {"plan": "reader-plus"}, headers=HTMX
        )
        assert response.status_code == 409
        assert not Seat.objects.filter(user=bob.user).exists()
        assert "No Reader+ plan is left on contract ACME-2027." in response.text
        assert 'aria-invalid="true"' in response.text
        assert '<option value="free" selected>' in response.text

    def test_an_unknown_plan_is_refused(self, admin_client, contract, bob):
        response = admin_client.post(_row_url(bob), {"plan": "gold"}, headers=HTMX)
        assert response.status_code == 422
        assert 'aria-invalid="true"' in response.text
        assert not Seat.objects.exists()

    def test_a_box_ticked_for_the_bulk_change_stays_ticked(
        self, admin_client, contract, bob
    ):
        response = admin_client.post(
            _row_url(bob),
            {"plan": "professional", "bulk-members": [bob.pk]},
            headers=HTMX,
        )
        assert (
            f'name="bulk-members" value="{bob.pk}" aria-label="Select Bob Bernard" '
            "checked>" in response.text
        )

    def test_without_javascript_it_comes_back_to_the_same_list(
        self, admin_client, contract, bob
    ):
        query = "q=acme&plan=free&sort=-plan&page=1"
        response = admin_client.post(_row_url(bob, query), {"plan": "professional"})
        assert response.status_code == 302
        assert response.url == _list_url(bob.organization, query)
        assert _messages(response) == ["Bob Bernard’s plan has been changed."]
        assert Seat.objects.get(user=bob.user).plan == plan("professional")

    def test_without_javascript_a_refusal_is_a_message(
        self, admin_client, admin_user, contract, bob, carol
    ):
        _give(bob.organization, carol, "reader-plus", admin_user)
        response = admin_client.post(_row_url(bob), {"plan": "reader-plus"})
        assert response.status_code == 302
        assert _messages(response) == ["No Reader+ plan is left on contract ACME-2027."]

    def test_a_disconnected_contract_leaves_the_plan_as_text(
        self, admin_client, admin_user, contract, bob
    ):
        services.contract_disconnect(organization=bob.organization, actor=admin_user)
        response = admin_client.post(
            _row_url(bob), {"plan": "professional"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "has no contract connected" in response.text
        assert "<select" not in response.text
        assert not Seat.objects.exists()

    def test_another_organizations_member_answers_404(
        self, admin_client, organization, contract
    ):
        stranger = MembershipFactory(organization=OrganizationFactory())
        url = reverse("contracts:member-list-plan", args=[organization.pk, stranger.pk])
        response = admin_client.post(url, {"plan": "professional"}, headers=HTMX)
        assert response.status_code == 404
        assert not Seat.objects.exists()

    def test_a_better_plan_from_another_contract_is_mentioned(
        self, admin_client, contract, bob
    ):
        SeatFactory(user=bob.user, plan=plan("professional"))
        response = admin_client.get(_list_url(bob.organization))
        row = response.text.split(f'<tr id="member-{bob.pk}"')[1].split("</tr>")[0]
        assert '<option value="free" selected>' in row
        assert "In effect: Professional, from another contract." in row

    def test_in_french(self, admin_client, contract, bob):
        response = admin_client.get(
            _list_url(bob.organization), headers={"Accept-Language": "fr"}
        )
        row = response.text.split(f'<tr id="member-{bob.pk}"')[1].split("</tr>")[0]
        assert '<option value="professional">Professionnel — 3 restants</option>' in (
            row
        )


class TestRowPreview:
    """Point 5: a take-back from a row shows the preview of a member's page
    instead of saving."""

    @pytest.fixture
    def bob_professional(self, admin_user, contract, bob):
        _give(bob.organization, bob, "professional", admin_user)
        _big_survey(bob)
        return bob

    def test_free_with_a_survey_over_the_limit_asks_in_the_row(
        self, admin_client, bob_professional
    ):
        bob = bob_professional
        response = admin_client.post(
            _row_url(bob, "sort=name"), {"plan": "free"}, headers=HTMX
        )
        assert response.status_code == 200
        assert Seat.objects.get(user=bob.user).plan == plan("professional")
        assert response.text.lstrip().startswith(f'<tr id="member-{bob.pk}"')
        assert "data-show-on-load" in response.text
        assert "Give Bob Bernard the Free plan?" in response.text
        assert "Satisfaction" in response.text
        assert "120 responses" in response.text
        # Confirming posts to the row, and swaps the row.
        assert f'hx-post="{_row_url(bob, "sort=name")}"' in response.text
        assert 'hx-target="closest tr"' in response.text
        assert 'name="confirmed" value="1"' in response.text
        # Meanwhile the dropdown shows the plan held.
        assert '<option value="professional" selected>' in response.text

    def test_confirming_takes_it_back_and_focuses_the_dropdown(
        self, admin_client, bob_professional
    ):
        bob = bob_professional
        response = admin_client.post(
            _row_url(bob), {"plan": "free", "confirmed": "1"}, headers=HTMX
        )
        assert response.status_code == 200
        assert not Seat.objects.filter(user=bob.user).exists()
        assert '<span class="saved">Saved</span>' in response.text
        assert (
            f'id="plan-{bob.pk}" aria-describedby="plan-status-{bob.pk}" autofocus'
            in (response.text)
        )

    def test_without_javascript_the_preview_is_a_page_back_to_the_list(
        self, admin_client, bob_professional
    ):
        bob = bob_professional
        query = "q=bob&sort=-name"
        response = admin_client.post(_row_url(bob, query), {"plan": "free"})
        assert response.status_code == 200
        assert '<h1 id="plan-confirm-title">' in response.text
        assert "Satisfaction" in response.text
        list_url = _list_url(bob.organization, query).replace("&", "&amp;")
        assert f'href="{list_url}">Cancel</a>' in response.text
        assert f'action="{_row_url(bob, query).replace("&", "&amp;")}"' in (
            response.text
        )
        assert Seat.objects.filter(user=bob.user).exists()

    def test_going_up_never_asks(self, admin_client, admin_user, contract, bob):
        _give(bob.organization, bob, "reader-plus", admin_user)
        _big_survey(bob)
        response = admin_client.post(
            _row_url(bob), {"plan": "professional"}, headers=HTMX
        )
        assert "data-show-on-load" not in response.text
        assert Seat.objects.get(user=bob.user).plan == plan("professional")


class TestBulkPreview:
    """Point 1: the bulk change shows which surveys of which members go
    inactive, and asks first; nothing lost, it applies at once."""

    @pytest.fixture
    def both_professional(self, admin_user, contract, bob, carol):
        for member in (bob, carol):
            _give(member.organization, member, "professional", admin_user)
        _big_survey(bob, "Satisfaction", 120)
        _big_survey(bob, "Onboarding", 101)
        return bob, carol

    def _url(self, organization, query=""):
        url = reverse("contracts:member-bulk-plan", args=[organization.pk])
        return f"{url}?{query}" if query else url

    def test_without_javascript_a_page_asks_first(
        self, admin_client, both_professional
    ):
        bob, carol = both_professional
        response = admin_client.post(
            self._url(bob.organization, "sort=-plan"),
            {"bulk-plan": "free", "bulk-members": [bob.pk, carol.pk]},
        )
        assert response.status_code == 200
        assert '<h1 id="bulk-confirm-title">' in response.text
        assert "Give 2 members the Free plan?" in response.text
        # Bob's surveys, by title, with their response counts; Carol loses
        # none, so she is not listed.
        assert "<h2>Bob Bernard</h2>" in response.text
        assert "Carol Chen" not in response.text
        assert re.search(r"Onboarding</strong>.*101 responses", response.text)
        assert re.search(r"Satisfaction</strong>.*120 responses", response.text)
        for member in (bob, carol):
            assert (
                f'<input type="hidden" name="bulk-members" value="{member.pk}">'
                in response.text
            )
        assert 'name="confirmed" value="1"' in response.text
        assert f'action="{self._url(bob.organization, "sort=-plan")}"' in (
            response.text
        )
        assert Seat.objects.filter(plan=plan("professional")).count() == 2

    def test_with_htmx_a_dialog_over_the_bulk_form_asks_first(
        self, admin_client, both_professional
    ):
        bob, carol = both_professional
        response = admin_client.post(
            self._url(bob.organization),
            {"bulk-plan": "free", "bulk-members": [bob.pk, carol.pk]},
            headers={**HTMX, "HX-Target": "member-bulk-panel"},
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        assert response.text.lstrip().startswith('<div id="member-bulk-panel">')
        assert '<dialog id="bulk-confirm-dialog"' in response.text
        assert "<h3>Bob Bernard</h3>" in response.text
        # The plan chosen stays chosen in the form under the dialog.
        assert '<option value="free" selected>' in response.text
        assert Seat.objects.filter(plan=plan("professional")).count() == 2

    def test_confirming_applies_to_every_member(self, admin_client, both_professional):
        bob, carol = both_professional
        response = admin_client.post(
            self._url(bob.organization, "sort=-plan"),
            {
                "bulk-plan": "free",
                "bulk-members": [bob.pk, carol.pk],
                "confirmed": "1",
            },
        )
        assert response.status_code == 302
        assert response.url == _list_url(bob.organization, "sort=-plan")
        assert _messages(response) == ["2 members are back to Free."]
        assert not Seat.objects.exists()

    def test_nothing_lost_applies_at_once(
        self, admin_client, admin_user, contract, carol
    ):
        _give(carol.organization, carol, "professional", admin_user)
        response = admin_client.post(
            self._url(carol.organization),
            {"bulk-plan": "free", "bulk-members": [carol.pk]},
            headers={**HTMX, "HX-Target": "member-bulk-panel"},
        )
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == _list_url(carol.organization)
        assert not Seat.objects.exists()

    def test_with_htmx_a_refused_form_swaps_itself_with_the_error(
        self, admin_client, contract, bob
    ):
        response = admin_client.post(
            self._url(bob.organization),
            {"bulk-plan": "professional"},
            headers={**HTMX, "HX-Target": "member-bulk-panel"},
        )
        assert response.status_code == 422
        assert response.text.lstrip().startswith('<div id="member-bulk-panel">')
        assert "Select at least one member." in response.text
        assert "<dialog" not in response.text

    def test_a_lower_paid_plan_asks_too(self, admin_client, both_professional):
        bob, _carol = both_professional
        response = admin_client.post(
            self._url(bob.organization),
            {"bulk-plan": "reader-plus", "bulk-members": [bob.pk]},
        )
        assert "Give 1 member the Reader+ plan?" in response.text
        assert Seat.objects.get(user=bob.user).plan == plan("professional")


class TestSort:
    """Point 6: sortable columns, from their headers, kept through pages,
    search, filter and posts; an unknown order falls back to the default."""

    @pytest.fixture
    def people(self, admin_user, contract, organization):
        """Admin (Free), Ann (Reader+, given first), Zoe (Professional,
        given next) and Max (Free), with names not in email order."""
        ann = MembershipFactory(
            organization=organization,
            role=Role.READER,
            user=UserFactory(email="z-ann@acme.example", full_name="Ann Archer"),
        )
        zoe = MembershipFactory(
            organization=organization,
            role=Role.ADMINISTRATOR,
            user=UserFactory(email="a-zoe@acme.example", full_name="Zoe Zimmer"),
        )
        max_ = MembershipFactory(
            organization=organization,
            role=Role.COLLABORATOR,
            user=UserFactory(email="m-max@acme.example", full_name=""),
        )
        _give(organization, ann, "reader-plus", admin_user)
        _give(organization, zoe, "professional", admin_user)
        Seat.objects.filter(user=ann.user).update(
            assigned_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            last_used_on=datetime.date(2026, 3, 1),
        )
        Seat.objects.filter(user=zoe.user).update(
            last_used_on=datetime.date(2026, 2, 1)
        )
        return {"admin": admin_user.email, "ann": ann, "zoe": zoe, "max": max_}

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("", ["zoe", "max", "ann"]),
            ("email", ["zoe", "max", "ann"]),
            ("-email", ["ann", "max", "zoe"]),
            # Max has no name: his email stands for it.
            ("name", ["ann", "max", "zoe"]),
            ("-name", ["zoe", "max", "ann"]),
            ("role", ["zoe", "max", "ann"]),
            ("-role", ["ann", "max", "zoe"]),
            ("plan", ["max", "ann", "zoe"]),
            ("-plan", ["zoe", "ann", "max"]),
            # Free has no "since": last both ways.
            ("since", ["ann", "zoe", "max"]),
            ("-since", ["zoe", "ann", "max"]),
            # The last activity: Max, on Free, has none.
            ("activity", ["zoe", "ann", "max"]),
            ("-activity", ["ann", "zoe", "max"]),
        ],
    )
    def test_each_column_sorts_both_ways(self, admin_client, people, sort, expected):
        response = admin_client.get(
            _list_url(people["ann"].organization, f"sort={sort}")
        )
        emails = [
            email for email in _emails_in_order(response) if email != people["admin"]
        ]
        assert emails == [people[name].user.email for name in expected]

    @pytest.mark.parametrize("sort", ["bogus", "--name", "-", "name\x00", "é" * 200])
    def test_an_unknown_order_falls_back_to_the_email(self, admin_client, people, sort):
        response = admin_client.get(
            _list_url(people["ann"].organization), {"sort": sort}
        )
        assert response.status_code == 200
        emails = _emails_in_order(response)
        assert emails == sorted(emails)
        assert '<th scope="col" aria-sort="ascending"><a id="sort-email"' in (
            response.text
        )

    def test_headers_say_the_order_and_link_to_the_other_way(
        self, admin_client, people
    ):
        response = admin_client.get(
            _list_url(people["ann"].organization, "q=acme&plan=free&sort=name")
        )
        text = response.text
        assert text.count("aria-sort=") == 1
        assert (
            '<th scope="col" aria-sort="ascending"><a id="sort-name" '
            'href="?q=acme&amp;plan=free&amp;sort=-name"' in text
        )
        # The other columns sort ascending first; the default needs no sort.
        assert 'id="sort-plan" href="?q=acme&amp;plan=free&amp;sort=plan"' in text
        assert 'id="sort-email" href="?q=acme&amp;plan=free"' in text
        assert 'hx-target="#member-results" hx-push-url="true"' in text

    def test_pages_keep_the_order(self, admin_client, organization, contract):
        for number in range(55):
            MembershipFactory(
                organization=organization,
                user=UserFactory(
                    email=f"p{number:02}@acme.example", full_name=f"P {54 - number:02}"
                ),
            )
        url = _list_url(organization, "plan=free&sort=-name")
        first = admin_client.get(url)
        assert 'href="?plan=free&amp;sort=-name&amp;page=2"' in first.text
        second = admin_client.get(url + "&page=2")
        emails = _emails_in_order(first) + _emails_in_order(second)
        names = [
            member.user.full_name or member.user.email
            for page in (first, second)
            for member in page.context["page"].object_list
        ]
        assert len(emails) == 56
        assert names == sorted(names, key=str.lower, reverse=True)

    def test_search_and_filter_keep_the_order(self, admin_client, people):
        organization = people["ann"].organization
        response = admin_client.get(
            _list_url(organization, "sort=-since"),
            headers={**HTMX, "HX-Target": "member-results"},
        )
        # The search form sends the order with the search and the filter.
        assert (
            '<input type="hidden" name="sort" value="-since" '
            'form="member-search-form">' in response.text
        )
        # Also when a search finds nobody, for the next search.
        nobody = admin_client.get(
            _list_url(organization, "q=nobody&sort=-since"),
            headers={**HTMX, "HX-Target": "member-results"},
        )
        assert "No member matches" in nobody.text
        assert 'name="sort" value="-since"' in nobody.text
        searched = admin_client.get(
            _list_url(organization, "q=acme.example&plan=&sort=-since")
        )
        assert _emails_in_order(searched)[:2] == [
            people["zoe"].user.email,
            people["ann"].user.email,
        ]

    def test_posts_and_the_export_keep_the_order(self, admin_client, people):
        organization = people["ann"].organization
        response = admin_client.get(_list_url(organization, "sort=-plan&page=1"))
        bulk = reverse("contracts:member-bulk-plan", args=[organization.pk])
        assert f'action="{bulk}?sort=-plan&amp;page=1"' in response.text
        assert f'action="{_row_url(people["ann"], "sort=-plan&amp;page=1")}"' in (
            response.text
        )
        export = reverse("contracts:member-export", args=[organization.pk])
        assert f'href="{export}?sort=-plan"' in response.text
        rows = list(
            csv.reader(
                io.StringIO(
                    b"".join(
                        admin_client.get(export, {"sort": "-plan"}).streaming_content
                    ).decode("utf-8-sig")
                )
            )
        )
        assert [row[0] for row in rows[1:3]] == [
            people["zoe"].user.email,
            people["ann"].user.email,
        ]

    def test_readers_sort_too(self, user_client, people):
        reader = people["ann"]
        response = user_client(reader.user).get(
            _list_url(reader.organization, "sort=-plan")
        )
        assert _emails_in_order(response)[0] == people["zoe"].user.email
        assert 'aria-sort="descending"><a id="sort-plan"' in response.text


def test_query_count_is_the_same_for_3_and_30_rows(
    admin_client, admin_user, organization, contract, django_assert_max_num_queries
):
    """The dropdowns' options come from the header's one read of the
    contract's plans; each row's plan, held seat and how it was given are
    columns of the list's query. Eight queries in all (session, user, the
    administrator's membership with the group filter's groups, catalogue,
    contract, seat usage, count, rows), as many for 30 rows as for 3."""
    contract.allotments.update(seats=100)

    def add(count):
        for _number in range(count):
            member = MembershipFactory(organization=organization)
            _give(organization, member, "professional", admin_user)
            SeatFactory(user=member.user, plan=plan("reader-plus"))

    def count(sort):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(_list_url(organization, f"sort={sort}"))
        assert response.content.count(b'<select name="plan"') == len(
            response.context["page"].object_list
        )
        return len(queries)

    add(2)
    small = {sort: count(sort) for sort in ("name", "-plan", "since")}
    add(27)
    assert {sort: count(sort) for sort in small} == small
    with django_assert_max_num_queries(8 if ARRAYS_IN_ONE_QUERY else 9):
        admin_client.get(_list_url(organization, "sort=-plan"))
