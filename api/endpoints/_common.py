"""What the endpoints share: who may read what (the pages' rules, through
the same selectors), the documented refusals, plans by code."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from api.problems import ApiProblem, ProblemOut
from api.schemas import PlanRef
from organizations import selectors as organization_selectors
from organizations.models import Membership
from plans.models import Plan

# Every endpoint may refuse a token (401), an object not the person's
# (404), a parameter (422) or a request too many (429).
REFUSALS = {
    401: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


def responses(ok, *more: int) -> dict:
    return {200: ok, **REFUSALS, **dict.fromkeys(more, ProblemOut)}


def membership_get(
    request: HttpRequest, organization_id: int, *, administrator: bool = False
) -> Membership:
    """The token owner's membership, or 404 (as on the pages: another
    tenant's organization, or an administrators' page for a member)."""
    return organization_selectors.membership_get(
        user=request.auth.user,
        organization_id=organization_id,
        administrator=administrator,
    )


def plan_ref(plan: Plan) -> PlanRef:
    return PlanRef(code=plan.code, name=str(plan.display_name))


def plan_by_code(code: str) -> Plan:
    # PostgreSQL refuses a NUL byte in a query; no code holds one.
    plan = None if "\x00" in code else Plan.objects.filter(code=code).first()
    if plan is None:
        raise ApiProblem(422, _("There is no plan with the code “%s”.") % code)
    return plan
