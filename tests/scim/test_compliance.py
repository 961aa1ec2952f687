"""scim2-tester, the python-scim project's compliance checker, against the
running server (pytest-django's live_server) with an organization's token.
Run with -s to see its summary."""

from collections import Counter

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from organizations.models import Role
from scim import services
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

FAILED = {Status.ERROR, Status.CRITICAL}


@transactional_db
def test_scim2_tester_reports_no_failure(live_server):
    organization = OrganizationFactory(name="Compliance")
    MembershipFactory(
        organization=organization,
        role=Role.ADMINISTRATOR,
        user__email="admin@compliance.example.com",
    )
    _, token = services.scim_token_create(
        organization=organization, name="scim2-tester", actor=None
    )
    http = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    client.discover()

    results = check_server(client)

    counts = Counter(result.status.name for result in results)
    print("\nscim2-tester:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for result in results:
        if result.status not in {Status.SUCCESS}:
            print(f"  {result.status.name}: {result.title}: {result.reason}")
    failures = [
        f"{result.title}: {result.reason}"
        for result in results
        if result.status in FAILED
    ]
    assert not failures, "\n".join(failures)
    assert counts["SUCCESS"] > 20
