"""Settings of the benchmark: the project's, with a bare view mounted."""

import warnings

from config.settings import *  # noqa: F403

# Static files come from the apps (as in the tests), not from collectstatic.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

ROOT_URLCONF = "tests.benchmarks.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Static files are served from the apps, as in the tests.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The plan changes being timed send emails: rendered as always, then dropped.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The load comes from one address (loopback): the per-address limits of the
# public survey pages would answer 429 instead of the pages being timed.
SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR = 10**9
SURVEYS_FORM_TOKENS_PER_ADDRESS = 10**9
