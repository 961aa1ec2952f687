"""The surveys app's deferred work: the invitation emails, whose outcome is
recorded on each invitation."""

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from accounts.tasks import email_retry_later
from surveys.models import EmailStatus, Invitation


@task
def invitation_email_send(
    *, invitation_id: int, subject: str, body: str, attempt: int = 1
) -> None:
    """Send one invitation's email, tried again later when the mailer fails
    (`email_retry_later`); the invitation records the outcome: being sent
    until the mailer has taken it or the last attempt failed, then sent, or
    failed (the survey page shows it)."""
    invitation = Invitation.objects.filter(pk=invitation_id).only("email").first()
    if invitation is None:
        return
    try:
        EmailMessage(subject=subject, body=body, to=[invitation.email]).send()
    except Exception:
        if email_retry_later(
            invitation_email_send,
            attempt=attempt,
            invitation_id=invitation_id,
            subject=subject,
            body=body,
        ):
            return
        Invitation.objects.filter(pk=invitation_id).update(
            email_status=EmailStatus.FAILED, email_failed_at=timezone.now()
        )
        raise
    Invitation.objects.filter(pk=invitation_id).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now()
    )
