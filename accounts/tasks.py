import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMessage
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def email_retry_later(email_task: Task, *, attempt: int, **kwargs) -> bool:
    """After a failed attempt (`attempt`, counted from 1) of an email task,
    queue the next one, EMAIL_RETRY_SECONDS later, then twice as long each
    time, and say so; after the last of EMAIL_ATTEMPTS, queue nothing and
    return False: the caller raises, and the task is recorded as failed
    (the admin's list of task results, status "Failed").

    A backend that runs tasks at once (the tests' ImmediateBackend) cannot
    wait: it gets the next attempt at once."""
    if attempt >= settings.EMAIL_ATTEMPTS:
        return False
    delay = timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))
    logger.warning(
        "%s: attempt %s of %s failed, next in %s",
        email_task.name,
        attempt,
        settings.EMAIL_ATTEMPTS,
        delay,
        exc_info=True,
    )
    if email_task.get_backend().supports_defer:
        email_task = email_task.using(run_after=timezone.now() + delay)
    email_task.enqueue(attempt=attempt + 1, **kwargs)
    return True


@task
def email_send(*, subject: str, body: str, to: list[str], attempt: int = 1) -> None:
    """Send one plain-text email through the default mailer, trying again
    later when the mailer fails."""
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        if not email_retry_later(
            email_send, attempt=attempt, subject=subject, body=body, to=to
        ):
            raise


class _PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queue the email as `email_send`, which retries a failing mailer
        (Django's form logs the failure and drops the email)."""
        subject = render_to_string(subject_template_name, context)
        email_send.enqueue(
            subject="".join(subject.splitlines()),
            body=render_to_string(email_template_name, context),
            to=[to_email],
        )


@task
def password_reset_email_send(
    *, email: str, domain: str, use_https: bool, language: str
) -> None:
    """Queue a link to choose a new password (`email_send`) to each active
    account of this address that has a usable password (Django's rules), or
    to none.

    A task, so that the request that asks for it does the same work whether
    or not the address has an account, and does not wait for the mail
    server.
    """
    with translation.override(language):
        form = _PasswordResetForm({"email": email})
        if form.is_valid():
            form.save(
                domain_override=domain,
                use_https=use_https,
                subject_template_name="accounts/email/password_reset_subject.txt",
                email_template_name="accounts/email/password_reset.txt",
            )
