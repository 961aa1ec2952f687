import datetime
from collections import Counter

import factory
from django.utils import timezone

from contracts.models import Allotment, Contract, Seat
from contracts.services.seat_counter import seats_used_add
from plans.models import Plan
from tests.accounts.factories import UserFactory


def plan(code):
    return Plan.objects.get(code=code)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CTR-{n:04d}")
    customer = factory.Faker("company")
    starts_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=30)
    )
    ends_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=365)
    )

    @factory.post_generation
    def managers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.managers.set(extracted)

    @factory.post_generation
    def seats(obj, create, extracted, **kwargs):
        """`seats={"professional": 10, "reader-plus": 5}`"""
        if create and extracted:
            for code, count in extracted.items():
                Allotment.objects.create(contract=obj, plan=plan(code), seats=count)


class AllotmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allotment

    contract = factory.SubFactory(ContractFactory)
    plan = factory.LazyFunction(lambda: plan("professional"))
    seats = 10


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    contract = factory.SubFactory(ContractFactory)
    plan = factory.LazyFunction(lambda: plan("professional"))
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Counted on its allotment, as the seat services count a seat given.
        seat = super()._create(model_class, *args, **kwargs)
        seats_used_add(contract_id=seat.contract_id, plan_id=seat.plan_id, delta=1)
        return seat


def seats_bulk_create(seats) -> list[Seat]:
    """Many seats at once, counted on their allotments as the seat services
    count them."""
    created = Seat.objects.bulk_create(seats)
    held = Counter((seat.contract_id, seat.plan_id) for seat in created)
    for (contract_id, plan_id), count in held.items():
        seats_used_add(contract_id=contract_id, plan_id=plan_id, delta=count)
    return created
