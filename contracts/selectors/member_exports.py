"""The members' CSV export: one row per member, with their plan and how
their seat was given."""

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from config.exports import spreadsheet_safe
from contracts.models import SeatSource
from organizations.models import Membership, Role
from plans.models import Feature, Plan


def member_export_rows(
    *, members: Iterable[Membership], catalog: dict[int, Plan]
) -> Iterator[list[str]]:
    """The rows of the members' CSV, header first. Every label is
    translated before the first row, in the request's language, because the
    response is iterated after the view has returned."""
    header = [
        _("Email address"),
        _("Name"),
        _("Role"),
        _("Plan"),
        _("How assigned"),
        _("Since"),
        _("Last activity"),
    ]
    roles = {role.value: str(role.label) for role in Role}
    plans = {plan_id: plan.display_name for plan_id, plan in catalog.items()}
    sources = {source.value: str(source.label) for source in SeatSource}
    features = {
        feature.value: _("automatically, for “%(feature)s”")
        % {"feature": feature.label}
        for feature in Feature
    }

    def rows() -> Iterator[list[str]]:
        yield header
        for member in members:
            how = sources.get(member.seat_source or "", member.seat_source or "")
            if member.seat_source == SeatSource.AUTOMATIC and member.seat_feature:
                how = features.get(member.seat_feature, how)
            since = (
                timezone.localtime(member.seat_since).date().isoformat()
                if member.seat_since
                else ""
            )
            yield [
                spreadsheet_safe(member.user.email),
                spreadsheet_safe(member.user.full_name),
                roles.get(member.role, member.role),
                plans.get(member.effective_plan_id, ""),
                how,
                since,
                member.seat_last_used.isoformat() if member.seat_last_used else "",
            ]

    return rows()
