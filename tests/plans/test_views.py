import pytest
from django.urls import reverse

from plans.models import Feature, Plan

pytestmark = pytest.mark.django_db


def test_catalog_is_seeded_cheapest_first():
    plans = list(Plan.objects.all())
    assert [plan.code for plan in plans] == [
        "free",
        "reader-plus",
        "starter",
        "professional",
    ]
    assert Plan.objects.free().response_limit == 100
    assert Plan.objects.get(code="professional").is_unlimited


def test_pricing_page_is_public_and_compares_every_plan(client):
    response = client.get(reverse("plans:pricing"))
    assert response.status_code == 200
    for name in ("Free", "Reader+", "Starter", "Professional"):
        assert f'<th scope="col">{name}</th>' in response.text
    for feature in Feature:
        assert str(feature.label) in response.text
    assert "Unlimited" in response.text


def test_pricing_page_in_french(client):
    response = client.get(reverse("plans:pricing"), headers={"Accept-Language": "fr"})
    assert "<h1>Offres et tarifs</h1>" in response.text
    assert '<th scope="col">Gratuit</th>' in response.text


def test_pricing_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get(reverse("plans:pricing"))
