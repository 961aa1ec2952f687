"""What each line of an import would change, read against the members,
users and seats as they are: one set of queries per chunk of lines, shared
by the dry run and the run."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models import Allotment, Contract, Seat
from imports.models import LineOutcome
from imports.rows import Row, plan_lookup, role_lookup
from organizations.models import Membership, Organization, Role
from plans.models import Plan

NAME_MAX = User._meta.get_field("full_name").max_length


@dataclass
class Action:
    """One line's changes: `name`, `role`, `plan` are None when left as
    they are; `membership` is None for a new member."""

    row: Row
    email: str
    membership: Membership | None = None
    name: str | None = None
    role: str | None = None
    plan: Plan | None = None
    error: str = ""
    # Whether the email has an account (in another organization, or
    # none left) when it is not a member.
    has_account: bool = True

    @property
    def outcome(self) -> str:
        if self.error:
            return LineOutcome.ERROR
        if self.membership is None:
            return LineOutcome.NEW
        if self.name is None and self.role is None and self.plan is None:
            return LineOutcome.UNCHANGED
        return LineOutcome.UPDATED


@dataclass
class Reading:
    """What the lines of one import share: the organization's contract, its
    plans, the words for roles and plans, the emails already seen."""

    organization: Organization
    contract: Contract | None = None
    allotments: dict[int, Allotment] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=role_lookup)
    plans: dict[str, Plan] = field(default_factory=plan_lookup)
    seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, organization: Organization) -> "Reading":
        reading = cls(organization=organization)
        reading.contract = Contract.objects.filter(organization=organization).first()
        if reading.contract is not None:
            reading.allotments = {
                allotment.plan_id: allotment
                for allotment in Allotment.objects.filter(contract=reading.contract)
            }
        return reading

    def seats_left(self) -> dict[int, int]:
        """Each plan of the contract: seats not taken now."""
        if self.contract is None:
            return {}
        return {
            plan_id: max(allotment.seats - allotment.seats_used, 0)
            for plan_id, allotment in self.allotments.items()
        }

    def actions(self, rows: list[Row]) -> list[Action]:
        """The lines' changes, reading the members and seats of this chunk
        of lines in three queries."""
        actions = [self._parse(row) for row in rows]
        emails = [action.email for action in actions if not action.error]
        # The accounts first (the unique email index), then their
        # memberships here: a join from the memberships would read the
        # organization's every member.
        accounts = dict(
            User.objects.filter(email__in=emails).values_list("email", "pk")
        )
        memberships = {
            membership.user.email: membership
            for membership in Membership.objects.filter(
                organization=self.organization, user_id__in=accounts.values()
            ).select_related("user")
        }
        seats = {}
        if self.contract is not None and memberships:
            seats = dict(
                Seat.objects.filter(
                    contract=self.contract,
                    user_id__in=[m.user_id for m in memberships.values()],
                ).values_list("user_id", "plan_id")
            )
        for action in actions:
            if not action.error:
                self._compare(action, memberships.get(action.email), seats)
                action.has_account = action.email in accounts
        return actions

    def _parse(self, row: Row) -> Action:
        email = User.objects.normalize_email(row.email).lower()
        action = Action(row=row, email=email)
        try:
            if not email:
                raise ValidationError(_("The email is missing."))
            validate_email(email)
        except ValidationError as error:
            action.error = " ".join(error.messages)
            return action
        if email in self.seen:
            action.error = _("This email is already on line %(line)s.") % {
                "line": self.seen[email]
            }
            return action
        self.seen[email] = row.number
        if len(row.name) > NAME_MAX:
            action.error = _("The name is longer than %(count)s characters.") % {
                "count": NAME_MAX
            }
        elif row.role and row.role.lower() not in self.roles:
            action.error = _(
                "Unknown role “%(role)s”: administrator, collaborator or reader."
            ) % {"role": row.role}
        elif row.plan and row.plan.lower() not in self.plans:
            action.error = _("Unknown plan “%(plan)s”.") % {"plan": row.plan}
        return action

    def _compare(self, action: Action, membership, seats) -> None:
        row = action.row
        role = self.roles[row.role.lower()] if row.role else None
        plan = self.plans[row.plan.lower()] if row.plan else None
        action.membership = membership
        if membership is None:
            action.role = role or Role.COLLABORATOR
            action.name = row.name or None
            held = None
        else:
            if role and role != membership.role:
                action.role = role
            if row.name and row.name != membership.user.full_name:
                action.name = row.name
            held = seats.get(membership.user_id)
        if plan is None or (plan.is_free and held is None):
            return
        if not plan.is_free and held == plan.pk:
            return
        action.plan = plan
        action.error = self._plan_refusal(plan, membership)

    def _plan_refusal(self, plan: Plan, membership: Membership | None) -> str:
        if self.contract is None:
            return _("%(organization)s has no contract connected: no plan given.") % {
                "organization": self.organization.name
            }
        if membership is not None and not membership.is_active:
            return _("This member is suspended: no plan given.")
        if plan.is_free:
            return ""
        if plan.pk not in self.allotments:
            return _("Contract %(reference)s has no %(plan)s plan.") % {
                "reference": self.contract.reference,
                "plan": plan.display_name,
            }
        if not self.contract.is_active():
            return _("Contract %(reference)s is not in force: it grants no plan.") % {
                "reference": self.contract.reference
            }
        return ""


def seats_needed(actions: list[Action]) -> Counter:
    """Seats each paid plan needs for these lines."""
    return Counter(
        action.plan.pk
        for action in actions
        if not action.error and action.plan is not None and not action.plan.is_free
    )
