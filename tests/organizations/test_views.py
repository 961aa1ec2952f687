import pytest
from django.urls import reverse

from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_organization_list_shows_role(admin_client, organization):
    response = admin_client.get(reverse("organizations:organization-list"))
    assert organization.name in response.text
    assert "Administrator" in response.text


def test_organization_page_links_to_its_members(admin_client, organization):
    MembershipFactory.create_batch(2, organization=organization)
    response = admin_client.get(organization.get_absolute_url())
    members_url = reverse("contracts:member-list", args=[organization.pk])
    assert f'<a href="{members_url}">3</a>' in response.text


def test_outsiders_get_404(user_client, organization, outsider):
    response = user_client(outsider).get(organization.get_absolute_url())
    assert response.status_code == 404


def test_readers_see_the_organization(user_client, organization):
    reader = MembershipFactory(organization=organization, reader=True)
    response = user_client(reader.user).get(organization.get_absolute_url())
    assert response.status_code == 200


def test_unknown_ids_answer_404(admin_client):
    assert admin_client.get("/organizations/999999/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/organizations/9223372036854775808/",
        "/organizations/99999999999999999999999/members/",
        "/organizations/9223372036854775808/contract/",
    ],
)
def test_ids_beyond_the_column_range_answer_404(admin_client, url):
    assert admin_client.get(url).status_code == 404
