"""The domain state as plain data, to compare before and after a request;
the invariants that hold whatever was sent; and how to tell that a request
was refused."""

from django import forms
from django.contrib import messages
from django.db.models import Count, F, Q

from accounts.models import User
from api.models import ApiToken
from contracts.models import (
    Allotment,
    ConnectionKey,
    Contract,
    Event,
    EventKind,
    PlanRequest,
    ScheduledChange,
    Seat,
    SeatRequest,
    WaitlistEntry,
)
from organizations.models import Membership, Organization, Role
from surveys.models import (
    Answer,
    Distribution,
    Invitation,
    Option,
    Question,
    Response,
    Survey,
)

REFUSAL_TEMPLATES = ("surveys/respond_inactive.html", "surveys/respond_not_found.html")

# Recorded on purpose when a request is refused: a wrong connection key
# (counted by the attempt limit) and a paid feature used with no seat left
# (the administrators see who asked).
RECORDED_ON_REFUSAL = {EventKind.KEY_REJECTED, EventKind.PLAN_REQUESTED}


def snapshot(*, with_refusal_records: bool = False) -> dict[str, list]:
    """Every row of the domain tables that a request could change, by the
    fields that matter. Without `with_refusal_records`, what is recorded on
    purpose when a request is refused is left out."""
    events = Event.objects.all()
    requests = PlanRequest.objects.all()
    if not with_refusal_records:
        events = events.exclude(kind__in=RECORDED_ON_REFUSAL)
        requests = requests.none()
    tables = {
        "users": User.objects.values_list(
            "pk", "email", "full_name", "password", "is_active", "is_staff"
        ),
        "organizations": Organization.objects.values_list(
            "pk", "name", "idle_reclaim", "idle_remind_days", "idle_reclaim_days"
        ),
        "memberships": Membership.objects.values_list(
            "pk", "organization_id", "user_id", "role"
        ),
        "contracts": Contract.objects.values_list(
            "pk", "organization_id", "auto_assign", "connected_at", "ends_on"
        ),
        "allotments": Allotment.objects.values_list(
            "contract_id", "plan_id", "seats", "alert_threshold"
        ),
        "seats": Seat.objects.values_list(
            "pk",
            "contract_id",
            "plan_id",
            "user_id",
            "source",
            "assigned_at",
            "idle_reminded_on",
        ),
        "scheduled_changes": ScheduledChange.objects.values_list(
            "pk", "organization_id", "user_id", "plan_id", "on", "state"
        ),
        "keys": ConnectionKey.objects.values_list(
            "pk", "contract_id", "used_at", "used_by_id", "revoked_at"
        ),
        "events": events.values_list("pk", "kind", "contract_id", "member_id"),
        "plan_requests": requests.values_list("contract_id", "user_id", "feature"),
        "waitlist": WaitlistEntry.objects.values_list(
            "pk", "contract_id", "user_id", "feature", "status"
        ),
        "seat_requests": SeatRequest.objects.values_list(
            "pk", "contract_id", "user_id", "status", "plan_id"
        ),
        "surveys": Survey.objects.values_list(
            "pk",
            "owner_id",
            "organization_id",
            "title",
            "description",
            "status",
            "response_count",
            "revision",
            "brand_colour",
            "brand_logo",
        ),
        "questions": Question.objects.values_list(
            "pk", "survey_id", "kind", "text", "required", "position"
        ),
        "options": Option.objects.values_list("pk", "question_id", "label"),
        "distributions": Distribution.objects.values_list("pk", "survey_id"),
        "invitations": Invitation.objects.values_list("pk", "email", "used_at"),
        "responses": Response.objects.values_list("pk", "survey_id"),
        "answers": Answer.objects.values_list("pk", "response_id"),
        "api_tokens": ApiToken.objects.values_list(
            "pk", "user_id", "scope", "expires_at", "revoked_at"
        ),
    }
    return {name: sorted(rows.order_by()) for name, rows in tables.items()}


def changes(before: dict[str, list], after: dict[str, list]) -> dict[str, tuple]:
    """The tables that differ, with the rows gone and the rows new."""
    differences = {}
    for name, rows in before.items():
        gone = sorted(set(rows) - set(after[name]))
        new = sorted(set(after[name]) - set(rows))
        if gone or new:
            differences[name] = (gone, new)
    return differences


def invariants_check() -> None:
    """The domain rules no request may break, whatever it sends."""
    over = [
        (allotment.contract_id, allotment.plan_id, allotment.in_use, allotment.seats)
        for allotment in Allotment.objects.annotate(
            in_use=Count(
                "contract__seats", filter=Q(contract__seats__plan_id=F("plan_id"))
            )
        )
        if allotment.in_use > allotment.seats
    ]
    assert not over, f"more seats in use than allotted: {over}"
    headless = (
        Organization.objects.annotate(
            administrators=Count(
                "memberships", filter=Q(memberships__role=Role.ADMINISTRATOR)
            )
        )
        .filter(administrators=0)
        .values_list("name", flat=True)
    )
    assert not headless, f"organizations without an administrator: {list(headless)}"
    auto_without_organization = Contract.objects.filter(
        organization__isnull=True, auto_assign=True
    )
    assert not auto_without_organization.exists(), (
        "a disconnected contract still assigns plans automatically"
    )
    counted = Survey.objects.annotate(collected=Count("responses")).exclude(
        response_count=F("collected")
    )
    assert not counted.exists(), "a survey's response counter is off"


def refused(response) -> bool:
    """Whether the request was turned down: an error status, a form shown
    again with its errors, an error message, or a page that says no."""
    if response.status_code >= 400:
        return True
    # The messages of this request only, not those a cookie brought back.
    queued = response.wsgi_request._messages._queued_messages
    if any(message.level >= messages.ERROR for message in queued):
        return True
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and value.is_bound and value.errors:
                return True
    return any(
        (template.name or "").startswith(REFUSAL_TEMPLATES)
        for template in response.templates
    )
