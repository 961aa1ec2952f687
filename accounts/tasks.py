from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import translation


@task
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email through the default mailer."""
    EmailMessage(subject=subject, body=body, to=to).send()


@task
def password_reset_email_send(
    *, email: str, domain: str, use_https: bool, language: str
) -> None:
    """Send a link to choose a new password to each active account of this
    address that has a usable password (Django's rules), or to none.

    A task, so that the request that asks for it does the same work whether
    or not the address has an account; with a worker, the request does not
    wait for the mail server either.
    """
    with translation.override(language):
        form = auth_forms.PasswordResetForm({"email": email})
        if form.is_valid():
            form.save(
                domain_override=domain,
                use_https=use_https,
                subject_template_name="accounts/email/password_reset_subject.txt",
                email_template_name="accounts/email/password_reset.txt",
            )
