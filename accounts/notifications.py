from functools import partial

from django.db import transaction
from django.template.loader import render_to_string

from accounts.tasks import email_send


def email_after_commit(
    *, to: list[str], template_name: str, context: dict, subject: str
) -> None:
    """Render an email now, in the request's language, and queue it once the
    transaction commits, so that nobody hears of a change that was rolled
    back. Recipients get one message each, never each other's addresses.

    The body template is rendered here because task arguments must be JSON.
    """
    body = render_to_string(template_name, context)
    for address in dict.fromkeys(to):
        transaction.on_commit(
            partial(email_send.enqueue, subject=subject, body=body, to=[address])
        )
