from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import throttle
from accounts.models import User


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, with login attempts limited per account and
    per client (accounts/throttle.py) on every path that authenticates with
    a request: the login page and the admin's login alike.

    An attempt over a limit is refused without its password being checked;
    the limit is left on the request (`login_throttled`) for the login form
    to say so. Raising PermissionDenied makes `authenticate()` stop there and
    report a failed login.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if request is not None and username and password:
            throttled = throttle.login_attempt_record(request=request, email=username)
            if throttled is not None:
                request.login_throttled = throttled
                raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None and request is not None:
            throttle.login_success_record(request=request)
        return user
