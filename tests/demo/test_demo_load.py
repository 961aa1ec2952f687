import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from contracts.entitlements import effective_plan
from contracts.models import Contract
from organizations.models import Membership, Role
from plans.models import Plan
from surveys.models import Survey
from surveys.selectors import survey_list_deactivated_by

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "admin", "contenttypes", "auth"}
    }


def test_loading_twice_changes_nothing(capsys):
    call_command("demo_load")
    first = _counts()
    call_command("demo_load")
    assert _counts() == first
    out = capsys.readouterr().out
    assert "alice@acme.example" in out
    assert "support@example.com" in out


def test_demo_people_and_roles():
    call_command("demo_load")
    alice = User.objects.get(email="alice@acme.example")
    assert alice.check_password("demo")
    assert Membership.objects.get(user=alice).role == Role.ADMINISTRATOR
    assert Membership.objects.get(user__email="carol@acme.example").role == Role.READER
    assert not Membership.objects.filter(user__email="dave@globex.example").exists()
    assert Membership.objects.filter(organization__name="Acme").count() >= 43
    assert User.objects.get(email="support@example.com").is_staff


def test_demo_contracts_are_ready_for_flows_one_and_two():
    call_command("demo_load")
    today = timezone.localdate()
    acme = Contract.objects.get(reference="ACME-2027")
    assert acme.customer == "Acme"
    assert acme.organization is None
    assert acme.starts_on < today < acme.ends_on
    assert (acme.ends_on - acme.starts_on).days == 365
    assert list(acme.managers.values_list("email", flat=True)) == ["alice@acme.example"]
    assert dict(acme.allotments.values_list("plan__code", "seats")) == {
        "professional": 10,
        "reader-plus": 5,
    }
    globex = Contract.objects.get(reference="GLOBEX-2027")
    assert (globex.customer, globex.organization) == ("Globex", None)
    assert list(globex.managers.values_list("email", flat=True)) == [
        "dave@globex.example"
    ]
    assert dict(globex.allotments.values_list("plan__code", "seats")) == {
        "professional": 3
    }
    assert globex.is_active()


def test_bob_owns_three_surveys_in_acme():
    call_command("demo_load")
    surveys = {
        survey.title: survey
        for survey in Survey.objects.filter(
            owner__email="bob@acme.example", organization__name="Acme"
        )
    }
    by_link = surveys["Customer satisfaction 2027"]
    assert (by_link.status, by_link.response_count) == ("open", 120)
    assert by_link.responses.count() == 120
    assert by_link.distributions.get().channel == "link"
    by_email = surveys["Team offsite feedback"]
    assert (by_email.status, by_email.response_count) == ("open", 20)
    assert by_email.invitations.filter(used_at__isnull=False).count() == 20
    assert by_email.responses.filter(invitation__isnull=False).count() == 20
    assert surveys["Product ideas"].status == "draft"
    assert surveys["Product ideas"].questions.count() == 3
    # Bob holds Professional, so the link survey is live; Free would end it.
    assert effective_plan(by_link.owner).code == "professional"
    assert Survey.objects.with_owner_plan().get(pk=by_link.pk).is_accepting
    assert survey_list_deactivated_by(user=by_link.owner, plan=Plan.objects.free()) == [
        by_link
    ]
