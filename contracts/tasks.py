"""The contracts app's tasks: run by the worker after the change that
queued them has committed."""

from django.tasks import task

from contracts import services
from contracts.models import Contract
from plans.models import Plan


@task
def waitlist_seat_freed_task(*, contract_id: int, plan_id: int | None) -> int:
    """A seat freed on the contract: the waiting members get it with
    automatic assignment on, the administrators hear of it otherwise.
    Returns the seats given, or the members waiting for the free seat."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        return 0
    plan = Plan.objects.filter(pk=plan_id).first() if plan_id is not None else None
    # Members waiting through a group mapped to the plan come first: the
    # administrators chose them when mapping the group.
    given = services.group_waitlist_fulfil(contract=contract, plan=plan)
    if contract.auto_assign:
        return given + services.waitlist_fulfil(contract=contract)
    return given + services.waitlist_seat_free_notify(contract=contract, plan=plan)
