"""schemathesis against the API on a live server: every operation, with
data valid and invalid for the schema, answers without a server error and
as its OpenAPI document says (status, media type, body)."""

import time
from collections import Counter

import hypothesis
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import seed, token_for
from tests.markers import transactional_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 20
PLANS = ["free", "reader-plus", "starter", "professional"]


@transactional_db
def test_every_operation_conforms_to_the_schema(live_server, settings):
    settings.API_RATE_PER_TOKEN = "100000/m"
    settings.API_FAILURES_PER_CLIENT = "100000/m"
    seeded = seed()
    headers = {"Authorization": f"Bearer {token_for(seeded.admin.user)}"}
    schema = schemathesis.openapi.from_url(live_server.url + "/api/v1/openapi.json")
    # Half the cases use the seeded organization and member, so that the
    # endpoints answer with their data, not only 404.
    real_ids = {
        "organization_id": seeded.organization.pk,
        "membership_id": seeded.members[0].pk,
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    started = time.monotonic()
    statuses = {}
    for operation in operations:
        for mode in (
            schemathesis.GenerationMode.POSITIVE,
            schemathesis.GenerationMode.NEGATIVE,
        ):
            statuses[operation.label, mode.value] = seen = Counter()
            _run(operation, mode, real_ids, live_server.url, headers, seen)
    elapsed = time.monotonic() - started
    requests = sum(sum(seen.values()) for seen in statuses.values())
    print(f"schemathesis: {requests} requests, {elapsed:.1f} s")
    for key, seen in statuses.items():
        print(*key, dict(seen))
    # Each operation answered with data at least once, not only refusals.
    for operation in operations:
        assert statuses[operation.label, "positive"][200], operation.label
    assert elapsed < 90


def _run(operation, mode, real_ids, base_url, headers, seen):
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(mode),
        real=st.booleans(),
        plan=st.sampled_from(PLANS),
    )
    def run(case, real, plan):
        if real:
            for name in case.path_parameters or {}:
                if name in real_ids:
                    case.path_parameters[name] = real_ids[name]
            # A plan of the catalogue, where one is asked for.
            for values in (case.query, case.body):
                if isinstance(values, dict) and isinstance(values.get("plan"), str):
                    values["plan"] = plan
        response = case.call(base_url=base_url, headers=headers)
        seen[response.status_code] += 1
        case.validate_response(response, headers=headers, checks=CHECKS)

    run()
