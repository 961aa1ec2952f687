import json

import pytest
from django.test import Client

from scim import services


class ScimClient:
    """Django's test client with a SCIM bearer token and JSON bodies."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self, headers):
        base = {"Content-Type": "application/scim+json"}
        if self.token:
            base["Authorization"] = f"Bearer {self.token}"
        return {**base, **(headers or {})}

    def _send(self, method, path, data=None, headers=None):
        body = "" if data is None else json.dumps(data)
        return getattr(self.client, method)(
            "/scim/v2" + path,
            data=body,
            content_type="application/scim+json",
            headers=self._headers(headers),
        )

    def get(self, path, headers=None):
        return self.client.get("/scim/v2" + path, headers=self._headers(headers))

    def post(self, path, data, headers=None):
        return self._send("post", path, data, headers)

    def put(self, path, data, headers=None):
        return self._send("put", path, data, headers)

    def patch(self, path, data, headers=None):
        return self._send("patch", path, data, headers)

    def delete(self, path, headers=None):
        return self._send("delete", path, None, headers)


@pytest.fixture
def scim_token(organization):
    _, plaintext = services.scim_token_create(
        organization=organization, name="Entra ID", actor=None
    )
    return plaintext


@pytest.fixture
def scim(scim_token, admin_membership):
    return ScimClient(scim_token)


USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def user_payload(email, **extra):
    return {"schemas": [USER_SCHEMA], "userName": email, "active": True, **extra}


def patch_payload(*operations):
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
