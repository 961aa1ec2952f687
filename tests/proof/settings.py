"""Settings of the gunicorn that the proof tests start: the project's own,
as in production (DEBUG off, persistent database connections with health
checks), with the two changes the test process makes too (tests/conftest.py):
static files served from the apps rather than from a collectstatic manifest,
and the fast password hasher the test users' passwords were made with."""

from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The proof's respondents are many people, all on the loopback address: the
# per-address limits of the public survey pages are proven in
# tests/surveys/test_throttle.py, not here.
SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR = 10**9
SURVEYS_FORM_TOKENS_PER_ADDRESS = 10**9
