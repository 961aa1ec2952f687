import factory

from organizations.models import Membership, Organization, Role
from tests.accounts.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Faker("company")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.COLLABORATOR

    class Params:
        administrator = factory.Trait(role=Role.ADMINISTRATOR)
        reader = factory.Trait(role=Role.READER)
