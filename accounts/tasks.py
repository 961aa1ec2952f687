from django.core.mail import EmailMessage
from django.tasks import task


@task
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email through the default mailer."""
    EmailMessage(subject=subject, body=body, to=to).send()
