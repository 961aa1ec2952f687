"""Parallel API requests against PostgreSQL: the plan PUT keeps the seat
rules of the dropdown's service under real concurrency."""

from django.core.cache import cache

from api.models import ApiToken
from contracts.models import Seat
from tests.api.conftest import api_client, seed, token_for
from tests.concurrency import postgresql_only, run_together
from tests.markers import transactional_db


@postgresql_only
@transactional_db
def test_parallel_puts_for_the_last_seat_give_it_once():
    """One professional seat of two is left: four administrators' requests
    for four members at the same moment get one 200 and three 409."""
    seeded = seed()
    token = token_for(seeded.admin.user)
    base = f"/api/v1/organizations/{seeded.organization.pk}/members"
    wanting = [seeded.members[i] for i in (1, 2, 3, 4)]

    def put(member):
        return lambda: api_client(token).put(
            f"{base}/{member.pk}/plan",
            {"plan": "professional"},
            content_type="application/json",
        )

    responses = run_together([put(member) for member in wanting])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409, 409, 409]
    assert (
        Seat.objects.filter(contract=seeded.contract, plan__code="professional").count()
        == 2
    )


@postgresql_only
@transactional_db
def test_parallel_requests_past_the_rate_limit_are_refused(settings):
    """The count is one atomic increment in the shared cache: of ten
    requests at once with a limit of five, exactly five pass."""
    settings.API_RATE_PER_TOKEN = "5/m"
    cache.clear()
    seeded = seed()
    token = token_for(seeded.admin.user)
    responses = run_together(
        [lambda: api_client(token).get("/api/v1/organizations")] * 10
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 5 + [429] * 5
    assert ApiToken.objects.get().last_used_at is not None
