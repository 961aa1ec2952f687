from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User

LOGIN_FAILURE_LIMIT = 10
LOGIN_WINDOW_SECONDS = 15 * 60


class LoginForm(auth_forms.AuthenticationForm):
    """Email and password, with failed attempts limited per email address."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The email address or the password is not right."),
        "throttled": _(
            "Too many failed attempts with this email address. "
            "Wait 15 minutes, or reset your password."
        ),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        key = f"login:{email}"
        if email and throttle.is_throttled(key=key, limit=LOGIN_FAILURE_LIMIT):
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                throttle.failure_record(key=key, window_seconds=LOGIN_WINDOW_SECONDS)
            raise
        throttle.failures_clear(key=key)
        return cleaned


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
