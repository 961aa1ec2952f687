import pytest
from django.urls import reverse

from organizations.models import Membership, Role
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _org_urls(organization, member):
    org = organization.pk
    return [
        reverse("organizations:organization-detail", args=[org]),
        reverse("organizations:member-list", args=[org]),
        reverse("organizations:member-detail", args=[org, member.pk]),
    ]


def _admin_post_urls(organization, member):
    org = organization.pk
    return [
        reverse("organizations:member-add", args=[org]),
        reverse("organizations:member-role", args=[org, member.pk]),
        reverse("organizations:member-remove", args=[org, member.pk]),
    ]


def test_organization_list_shows_role(admin_client, organization):
    response = admin_client.get(reverse("organizations:organization-list"))
    assert organization.name in response.text
    assert "Administrator" in response.text


def test_outsiders_get_404_everywhere(user_client, organization, outsider):
    member = MembershipFactory(organization=organization)
    client = user_client(outsider)
    for url in _org_urls(organization, member):
        assert client.get(url).status_code == 404, url
    for url in _admin_post_urls(organization, member):
        assert client.post(url, {"role": "reader", "email": "x@y.z"}).status_code == 404


def test_non_administrators_get_404_on_admin_actions(user_client, organization):
    reader = MembershipFactory(organization=organization, reader=True)
    target = MembershipFactory(organization=organization)
    client = user_client(reader.user)
    for url in _org_urls(organization, target):
        assert client.get(url).status_code == 200, url
    for url in _admin_post_urls(organization, target):
        assert client.post(url, {"role": "reader", "email": "x@y.z"}).status_code == 404
    target.refresh_from_db()
    assert target.role == Role.COLLABORATOR


def test_a_member_of_another_organization_cannot_be_reached(admin_client, organization):
    foreign = MembershipFactory()
    url = reverse("organizations:member-detail", args=[organization.pk, foreign.pk])
    assert admin_client.get(url).status_code == 404
    url = reverse("organizations:member-role", args=[organization.pk, foreign.pk])
    assert admin_client.post(url, {"role": "reader"}).status_code == 404


def test_unknown_ids_answer_404(admin_client):
    assert admin_client.get("/organizations/999999/").status_code == 404
    assert admin_client.get("/organizations/999999/members/1/").status_code == 404


class TestMemberList:
    def test_paginates_by_fifty(self, admin_client, organization):
        MembershipFactory.create_batch(50, organization=organization)
        url = reverse("organizations:member-list", args=[organization.pk])
        first = admin_client.get(url)
        assert first.context["page"].paginator.num_pages == 2
        assert len(first.context["page"].object_list) == 50
        second = admin_client.get(url, {"page": 2})
        assert len(second.context["page"].object_list) == 1

    def test_bad_page_numbers_show_a_page(self, admin_client, organization):
        url = reverse("organizations:member-list", args=[organization.pk])
        assert admin_client.get(url, {"page": "abc"}).status_code == 200
        assert admin_client.get(url, {"page": "9999"}).status_code == 200

    def test_search_by_name_or_email(self, admin_client, organization):
        MembershipFactory(
            organization=organization,
            user=UserFactory(email="zed@example.test", full_name="Zed Zulu"),
        )
        MembershipFactory(organization=organization, user=UserFactory(full_name="Yan"))
        url = reverse("organizations:member-list", args=[organization.pk])
        response = admin_client.get(url, {"q": "zulu"})
        emails = [m.user.email for m in response.context["page"].object_list]
        assert emails == ["zed@example.test"]

    def test_htmx_search_returns_only_the_results(self, admin_client, organization):
        url = reverse("organizations:member-list", args=[organization.pk])
        response = admin_client.get(
            url,
            {"q": "nobody-matches"},
            headers={"HX-Request": "true", "HX-Target": "member-results"},
        )
        assert response.text.lstrip().startswith('<div id="member-results"')
        assert "<html" not in response.text
        assert "No member matches" in response.text

    def test_member_list_query_count_does_not_grow(
        self, admin_client, organization, django_assert_max_num_queries
    ):
        MembershipFactory.create_batch(60, organization=organization)
        url = reverse("organizations:member-list", args=[organization.pk])
        with django_assert_max_num_queries(8):
            admin_client.get(url)


class TestMemberAdd:
    def test_adds_and_redirects(self, admin_client, organization):
        url = reverse("organizations:member-add", args=[organization.pk])
        response = admin_client.post(
            url, {"email": "new@example.test", "role": "reader"}
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="new@example.test")
        assert membership.role == Role.READER

    def test_htmx_add_redirects_the_client(self, admin_client, organization):
        url = reverse("organizations:member-add", args=[organization.pk])
        response = admin_client.post(
            url,
            {"email": "new@example.test", "role": "reader"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == reverse(
            "organizations:member-list", args=[organization.pk]
        )

    def test_invalid_email_shows_the_field_error(self, admin_client, organization):
        url = reverse("organizations:member-add", args=[organization.pk])
        response = admin_client.post(
            url,
            {"email": "not-an-email", "role": "reader"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
        assert response.text.lstrip().startswith('<form id="member-add"')
        assert "Enter a valid email address." in response.text

    def test_unknown_role_is_refused(self, admin_client, organization):
        url = reverse("organizations:member-add", args=[organization.pk])
        response = admin_client.post(url, {"email": "a@example.test", "role": "owner"})
        assert response.status_code == 422
        assert not Membership.objects.filter(user__email="a@example.test").exists()

    def test_existing_member_gets_a_clear_message(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-add", args=[organization.pk])
        response = admin_client.post(
            url, {"email": member.user.email, "role": "reader"}
        )
        assert response.status_code == 422
        assert "is already a member" in response.text


class TestMemberRole:
    def test_htmx_change_saves_and_says_so(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-role", args=[organization.pk, member.pk])
        response = admin_client.post(
            url, {"role": "reader"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form id="role-form"')
        assert "Saved" in response.text
        member.refresh_from_db()
        assert member.role == Role.READER

    def test_same_post_twice_changes_nothing_more(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-role", args=[organization.pk, member.pk])
        for _ in range(2):
            response = admin_client.post(
                url, {"role": "reader"}, headers={"HX-Request": "true"}
            )
            assert response.status_code == 200
        member.refresh_from_db()
        assert member.role == Role.READER

    def test_demoting_the_last_administrator_puts_the_dropdown_back(
        self, admin_client, admin_membership, organization
    ):
        url = reverse(
            "organizations:member-role", args=[organization.pk, admin_membership.pk]
        )
        response = admin_client.post(
            url, {"role": "reader"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 409
        assert "needs at least one administrator" in response.text
        assert '<option value="administrator" selected>' in response.text
        admin_membership.refresh_from_db()
        assert admin_membership.role == Role.ADMINISTRATOR

    def test_plain_post_redirects_to_the_member(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-role", args=[organization.pk, member.pk])
        response = admin_client.post(url, {"role": "reader"})
        assert response.status_code == 302
        assert response.url == member.get_absolute_url()


class TestMemberRemove:
    def test_get_shows_the_confirmation_page(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-remove", args=[organization.pk, member.pk])
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "Nothing they made is deleted." in response.text
        assert Membership.objects.filter(pk=member.pk).exists()

    def test_post_removes(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("organizations:member-remove", args=[organization.pk, member.pk])
        response = admin_client.post(url)
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=member.pk).exists()

    def test_the_last_administrator_cannot_leave(
        self, admin_client, admin_membership, organization
    ):
        url = reverse(
            "organizations:member-remove", args=[organization.pk, admin_membership.pk]
        )
        response = admin_client.post(url, follow=True)
        assert "needs at least one administrator" in response.text
        assert Membership.objects.filter(pk=admin_membership.pk).exists()
