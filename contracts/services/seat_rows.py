"""The rows `seat_put` writes: the seat and the allotments it counts on,
read and locked in the order every seat service keeps (allotments, then
the seat), and the seat inserted without a savepoint."""

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.exceptions import ContractError, SeatsExhausted
from contracts.models import Allotment, Contract, Seat
from plans.models import Plan


def seat_insert(seat: Seat) -> Seat:
    """Insert a new seat, or refuse when the person got one meanwhile (the
    one seat per member constraint): `ON CONFLICT DO NOTHING` instead of a
    savepoint to catch the error, one statement instead of three."""
    fields = [field for field in Seat._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        field.get_db_prep_save(field.pre_save(seat, True), connection)
        for field in fields
    ]
    table = connection.ops.quote_name(Seat._meta.db_table)
    # Only the model's own table and column names go into the text; every
    # value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT (contract_id, user_id) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        raise ContractError(
            _("This person’s plan was changed at the same moment: try again.")
        )
    seat.pk = row[0]
    seat._state.adding = False
    seat._state.db = connection.alias
    return seat


def seat_put_refusal(
    *, contract: Contract, user: User, plan: Plan, lock: bool
) -> tuple[Seat | None, dict[int, Allotment]]:
    """The person's seat on the contract, if any, after checking that they
    may have the plan, with the allotments of that plan and of the plan the
    seat leaves, by plan. With `lock`, those allotment rows (in their order,
    so that two seats moving opposite ways never deadlock), then the seat,
    are locked until the transaction ends, so that the counters stay true:
    allotments first, as everywhere seats are given and freed."""
    seats = Seat.objects.filter(contract=contract, user=user)
    held = seats.values("plan_id")
    allotments = Allotment.objects.filter(contract=contract).filter(
        Q(plan=plan) | Q(plan_id__in=held)
    )
    if lock:
        # The allotment rows only (`of`), should the query ever join the
        # plans table (an ordering or a select_related on the plan): locking
        # the catalogue's plan row as well would make every seat of that
        # plan on every contract wait, and deadlock with a plan taken back
        # (its history event takes a key share lock on that row while its
        # deleted seat is what this transaction waits for).
        allotments = allotments.select_for_update(of=("self",))
        seats = seats.select_for_update(of=("self",))
    by_plan = {each.plan_id: each for each in allotments.order_by("pk")}
    allotment = by_plan.get(plan.pk)
    if allotment is None:
        raise ContractError(
            _("Contract %(reference)s has no %(plan)s plan.")
            % {"reference": contract.reference, "plan": plan.display_name}
        )
    seat = seats.select_related("plan").first()
    if seat is not None and seat.plan_id == plan.pk:
        return seat, by_plan
    if seat is not None and seat.plan_id not in by_plan:
        # Moved between the two reads: its allotment is not locked.
        raise ContractError(
            _("This person’s plan was changed at the same moment: try again.")
        )
    # The allotment is locked: its counter is exact.
    if allotment.seats_used >= allotment.seats:
        raise SeatsExhausted(
            _("No %(plan)s plan is left on contract %(reference)s.")
            % {"plan": plan.display_name, "reference": contract.reference}
        )
    return seat, by_plan
