"""Long lists are counted up to a limit (contracts.pagination): past it the
pages say "more than" instead of a total, and every page still works."""

import pytest
from django.urls import reverse

from accounts.models import User
from contracts import pagination
from contracts.pagination import CappedPaginator
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    UserFactory.create_batch(7)
    return User.objects.order_by("pk")


class TestCappedPaginator:
    def test_counts_exactly_up_to_the_limit(self, users):
        paginator = CappedPaginator(users, 2, count_limit=7)
        page = paginator.get_page(1)
        assert paginator.count == 7
        assert not paginator.count_is_capped
        assert paginator.num_pages == 4
        assert list(page) == list(users[:2])

    def test_stops_counting_past_the_limit(self, users):
        paginator = CappedPaginator(users, 2, count_limit=4)
        page = paginator.get_page(1)
        assert paginator.count_is_capped
        assert paginator.limit == 4
        assert page.has_next()

    def test_a_page_past_the_limit_is_served_in_full(self, users):
        paginator = CappedPaginator(users, 2, count_limit=2)
        page = paginator.get_page(3)
        assert page.number == 3
        assert list(page) == list(users[4:6])
        assert page.has_next()

    def test_page_counts_as_far_as_the_page_asked_for(self, users):
        page = CappedPaginator(users, 2, count_limit=2).page(3)
        assert list(page) == list(users[4:6])

    def test_the_last_page_has_no_next(self, users):
        paginator = CappedPaginator(users, 2, count_limit=2)
        page = paginator.get_page(4)
        assert list(page) == list(users[6:])
        assert not page.has_next()
        assert not paginator.count_is_capped

    def test_a_page_past_the_end_is_the_last(self, users):
        page = CappedPaginator(users, 2, count_limit=2).get_page(99)
        assert list(page) == list(users[6:])

    def test_an_absurd_page_number_is_the_last_page(self, users):
        """A number typed in the URL cannot overflow the count's LIMIT."""
        page = CappedPaginator(users, 2, count_limit=2).get_page("184467440737095517")
        assert list(page) == list(users[6:])

    def test_counts_in_one_query(self, users, django_assert_num_queries):
        paginator = CappedPaginator(users, 2, count_limit=4)
        with django_assert_num_queries(1):
            assert paginator.count == 5


class TestMembersPage:
    def test_says_more_than_the_limit_without_a_total(
        self, admin_client, organization, monkeypatch
    ):
        monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
        MembershipFactory.create_batch(60, organization=organization)
        url = reverse("contracts:member-list", args=[organization.pk])
        response = admin_client.get(url)
        assert "More than 50 members" in response.text
        assert "Page 1</span>" in response.text
        assert "Page 1 of" not in response.text
        assert 'rel="next"' in response.text

    def test_counts_members_under_the_limit(self, admin_client, organization):
        MembershipFactory.create_batch(60, organization=organization)
        url = reverse("contracts:member-list", args=[organization.pk])
        response = admin_client.get(url)
        assert "61 members" in response.text
        assert "Page 1 of 2" in response.text
