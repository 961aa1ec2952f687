"""What the contract services share: the history, the locks, the emails."""

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts.exceptions import NotConnected
from contracts.models import Contract, Event
from organizations.models import Organization
from plans.models import Plan


def _event(kind: str, *, contract: Contract | None, **fields) -> Event:
    """Append one line to the history. It names the contract's organization
    unless `organization` says otherwise (a refused key has no contract)."""
    fields.setdefault("organization", contract.organization if contract else None)
    return Event.objects.create(kind=kind, contract=contract, **fields)


def _lock(organization: Organization) -> None:
    Organization.objects.select_for_update().only("pk").get(pk=organization.pk)


def _connected_contract(organization: Organization, *, lock: bool = False) -> Contract:
    contracts = Contract.objects.filter(organization=organization)
    if lock:
        contracts = contracts.select_for_update()
    contract = contracts.first()
    if contract is None:
        raise NotConnected(
            _(
                "%(organization)s has no contract connected: plans cannot be "
                "changed here."
            )
            % {"organization": organization.name}
        )
    # The events written next name it: no second read.
    contract.organization = organization
    return contract


def _email_managers(contract: Contract, *, subject, template_name, context) -> None:
    email_after_commit(
        to=list(contract.managers.values_list("email", flat=True)),
        subject=subject,
        template_name=template_name,
        context=context,
    )


def _email_member_plan(
    *, user: User, plan: Plan | None, contract: Contract, deactivated: list = ()
) -> None:
    """`deactivated`: the member's surveys the change made inactive, named
    in the email (`contracts.impact.plan_loss`)."""
    email_after_commit(
        to=[user.email],
        subject=_("Your plan has changed"),
        template_name="contracts/email/plan_changed.txt",
        context={
            "member": user,
            "plan": plan,
            "contract": contract,
            "deactivated": deactivated,
        },
    )
