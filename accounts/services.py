from functools import partial

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language

from accounts.models import User
from accounts.tasks import password_reset_email_send


@transaction.atomic
def user_update_profile(*, user: User, full_name: str) -> User:
    user.full_name = full_name
    user.full_clean()
    user.save(update_fields=["full_name"])
    return user


@transaction.atomic
def user_get_or_invite(*, email: str) -> tuple[User, bool]:
    """The user with this email, or a new one who sets a password later.

    A new user has an unusable password until they follow the link of the
    invitation email (Django's password reset flow).
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User(email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user, True


def user_password_set_url(*, user: User, base_url: str) -> str:
    """A one-time link to choose a password (Django's password reset token)."""
    return base_url + reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def password_reset_email_queue(*, email: str, domain: str, use_https: bool) -> None:
    """Queue the password reset email to this address once the transaction
    commits, in the current language. The task finds out whether an account
    uses the address, so that the request does not (same work, same time)."""
    transaction.on_commit(
        partial(
            password_reset_email_send.enqueue,
            email=email,
            domain=domain,
            use_https=use_https,
            language=get_language(),
        )
    )
