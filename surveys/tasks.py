"""The surveys app's deferred work: the invitation emails, whose outcome is
recorded on each invitation."""

import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from surveys.models import EmailStatus, Invitation

logger = logging.getLogger(__name__)

# Seconds to wait before each new attempt: a mailer that fails once (a
# dropped connection) is tried again, twice. SURVEYS_INVITATION_EMAIL_RETRY_
# DELAYS changes them; the number of delays is the number of retries.
RETRY_DELAYS = (0.5, 2.0)


@task
def invitation_email_send(*, invitation_id: int, subject: str, body: str) -> None:
    """Send one invitation's email, retrying when the mailer fails; the
    invitation records the outcome: sent once the mailer has taken it,
    failed after the last attempt (the survey page shows it), never sent
    when it was not."""
    invitation = Invitation.objects.filter(pk=invitation_id).only("email").first()
    if invitation is None:
        return
    delays = getattr(settings, "SURVEYS_INVITATION_EMAIL_RETRY_DELAYS", RETRY_DELAYS)
    for attempt, delay in enumerate((0, *delays), start=1):
        time.sleep(delay)
        try:
            EmailMessage(subject=subject, body=body, to=[invitation.email]).send()
        except Exception:
            logger.warning(
                "Invitation %s: email attempt %s failed",
                invitation_id,
                attempt,
                exc_info=True,
            )
            continue
        Invitation.objects.filter(pk=invitation_id).update(
            email_status=EmailStatus.SENT, email_sent_at=timezone.now()
        )
        return
    Invitation.objects.filter(pk=invitation_id).update(
        email_status=EmailStatus.FAILED, email_failed_at=timezone.now()
    )
