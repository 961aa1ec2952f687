"""Support staff reach every model in the Django admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_model_has_a_changelist_and_an_add_page(staff_client):
    MembershipFactory()
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = staff_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        search = staff_client.get(
            reverse("admin:{}_{}_changelist".format(*info)), {"q": "x"}
        )
        assert search.status_code == 200, info
        obj = model.objects.first()
        if obj is not None:
            change = staff_client.get(
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            )
            assert change.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            add = staff_client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code == 200, info


def test_admin_refuses_to_demote_the_last_administrator(staff_client):
    membership = MembershipFactory(administrator=True)
    url = reverse("admin:organizations_membership_change", args=[membership.pk])
    response = staff_client.post(url, {"role": "reader"}, follow=True)
    assert "needs at least one administrator" in response.text
    membership.refresh_from_db()
    assert membership.role == "administrator"


def test_non_staff_cannot_open_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
