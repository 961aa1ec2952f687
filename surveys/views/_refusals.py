"""A paid feature refused to the person who asked: the refusal's message,
followed by "Join the waitlist" when no seat of a fitting plan is left on a
contract of theirs (issue 11, point 6), on every page that refuses one."""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.http import HtmxHttpRequest
from contracts.selectors import waitlist_offer
from plans.models import Feature


def refusal_message(
    request: HtmxHttpRequest, message: str, *, feature: Feature, back: str
) -> SafeString:
    """`message` (escaped unless already safe) and, when the person may wait
    for a seat, the one-click form that puts them on the waitlist and comes
    back to `back`."""
    offer = waitlist_offer(user=request.user, feature=feature)
    if offer is None:
        return format_html("{}", message)
    return format_html(
        "{}{}",
        message,
        render_to_string(
            "contracts/_waitlist_offer.html",
            {"waitlist": offer, "waitlist_next": back},
            request=request,
        ),
    )
