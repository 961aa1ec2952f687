from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts import services
from accounts.forms import LoginForm, PasswordResetForm, ProfileForm
from accounts.http import HtmxHttpRequest


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """The form asking for a reset link. Whatever the address, the answer is
    the same page; the form counts the request and queues the email
    (accounts/forms.py, PasswordResetForm)."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of a reset email: choose a password, and be logged in. A
    stranger's failed logins never keep the owner out: the new password and
    the login start the account's count again (accounts/throttle.py)."""

    template_name = "accounts/password_reset_confirm.html"
    post_reset_login = True
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HtmxHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=request.user, full_name=form.cleaned_data["full_name"]
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def side_menu_toggle(request: HtmxHttpRequest) -> HttpResponse:
    """
    Collapse or reopen the side menu and remember it in the session, so the
    next page renders in the same state without a flash. With htmx the page
    toggles in place on the event; without it the form redirects back.
    """
    collapsed = not request.session.get("side_menu_collapsed", False)
    request.session["side_menu_collapsed"] = collapsed
    if request.htmx:
        response = HttpResponse(status=204)
        return trigger_client_event(
            response, "side-menu-toggled", {"collapsed": collapsed}
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    # A URL, never a view name: redirect() would try to reverse "next".
    return HttpResponseRedirect(next_url)
