"""The OpenAPI document and the interactive docs page."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_public_and_exact():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    operations = {
        (method.upper(), path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == {
        ("GET", "/api/v1/organizations"),
        ("GET", "/api/v1/organizations/{organization_id}"),
        ("GET", "/api/v1/organizations/{organization_id}/members"),
        ("GET", "/api/v1/organizations/{organization_id}/members/{membership_id}/plan"),
        ("PUT", "/api/v1/organizations/{organization_id}/members/{membership_id}/plan"),
        (
            "GET",
            "/api/v1/organizations/{organization_id}/members/{membership_id}"
            "/plan/preview",
        ),
        ("GET", "/api/v1/organizations/{organization_id}/contract"),
        ("GET", "/api/v1/organizations/{organization_id}/events"),
        ("GET", "/api/v1/organizations/{organization_id}/groups"),
    }
    for key, operation in operations.items():
        assert operation["security"] == [{"TokenAuth": []}], key
        responses = operation["responses"]
        assert "$ref" in str(responses["200"]["content"]["application/json"]), key
        for status in ("401", "404", "422", "429"):
            assert set(responses[status]["content"]) == {"application/problem+json"}, (
                key,
                status,
            )
    put = operations[
        "PUT", "/api/v1/organizations/{organization_id}/members/{membership_id}/plan"
    ]
    assert {"403", "409"} <= put["responses"].keys()
    assert put["operationId"] == "member_plan_set"


def test_the_docs_page_loads_its_scripts_from_static_files_only():
    """No inline script (the CSP allows none without a nonce) and no CDN:
    Swagger UI comes from django-ninja's static files."""
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    html = response.text
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert 'src="/static/ninja/' in attributes or (
            'type="application/json"' in attributes
        ), attributes
    assert "cdn" not in html.lower()
    assert "style=" not in html
