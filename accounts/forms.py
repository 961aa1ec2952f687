from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services, throttle
from accounts.models import User
from accounts.throttle import Scope, Throttled


class ThrottledLoginMixin:
    """Says that a login was refused by a limit rather than by its password.

    Attempts are limited per account and per client by the authentication
    backend (accounts/backends.py), which leaves the limit on the request.
    """

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            throttled = getattr(self.request, "login_throttled", None)
            if throttled is None:
                raise
            raise forms.ValidationError(
                _throttled_message(throttled), code="throttled"
            ) from None


class LoginForm(ThrottledLoginMixin, auth_forms.AuthenticationForm):
    """Email and password."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The email address or the password is not right."),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login form, which says so too."""


def _throttled_message(throttled: Throttled) -> str:
    minutes = _minutes(throttled)
    if throttled.scope == Scope.ACCOUNT:
        text = ngettext(
            "Too many failed attempts with this email address. Try again in "
            "%(minutes)d minute, or reset your password: the link in the "
            "email logs you in at once.",
            "Too many failed attempts with this email address. Try again in "
            "%(minutes)d minutes, or reset your password: the link in the "
            "email logs you in at once.",
            minutes,
        )
    else:
        text = ngettext(
            "Too many failed attempts from your network. Try again in "
            "%(minutes)d minute, or reset your password: the link in the "
            "email logs you in at once.",
            "Too many failed attempts from your network. Try again in "
            "%(minutes)d minutes, or reset your password: the link in the "
            "email logs you in at once.",
            minutes,
        )
    return text % {"minutes": minutes}


def _minutes(throttled: Throttled) -> int:
    # Rounded up: "1 minute" until the window ends, never "0 minutes".
    return max(1, -(-throttled.seconds_left // 60))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The address to send a reset link to. Requests are limited per client
    (an error that says nothing about the address) and per email address
    (silently: the page is the same, the email is not sent)."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.email_allowed = False

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email:
            throttled = throttle.password_reset_request_record(
                request=self.request, email=email
            )
            if throttled is not None and throttled.scope == Scope.CLIENT:
                minutes = _minutes(throttled)
                raise forms.ValidationError(
                    ngettext(
                        "Too many requests from your network. Try again in "
                        "%(minutes)d minute.",
                        "Too many requests from your network. Try again in "
                        "%(minutes)d minutes.",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="throttled",
                )
            self.email_allowed = throttled is None
        return cleaned

    def save(self, *, domain_override=None, use_https=False, request=None, **kwargs):
        """Queue the reset email for after the transaction, whether or not
        an account uses the address: the task looks the address up, so the
        request does the same work either way (accounts/tasks.py)."""
        if self.email_allowed:
            services.password_reset_email_queue(
                email=self.cleaned_data["email"],
                domain=domain_override or self.request.get_host(),
                use_https=use_https,
            )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]


class UserCreationForm(auth_forms.BaseUserCreationForm):
    """The admin's form to create a user, by email."""

    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
