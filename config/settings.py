"""
Settings for the whole project, read from the environment through
django-environ so that one module serves a laptop, CI and production.

https://docs.djangoproject.com/en/6.1/ref/settings/
"""

from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# The default key only serves local runs: `manage.py check --deploy` flags it
# (security.W009), and production sets SECRET_KEY.
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-local-only-3c8f0b6e1d2a4f7b9e5c0a1d2b3c4d5e",
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts",
    "organizations",
    "plans",
    "contracts",
    "surveys",
    "imports",
    "demo",
    "scim",
    # Before django_tasks_db: its `db_worker` command, which also schedules
    # the lifecycle tick, takes the place of the library's.
    "lifecycle",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # The `date` filter with French typography ("1er juin").
            "builtins": ["config.dates"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the embedded default. IMMEDIATE transactions take the write lock
# up front, so the row-locking code paths written for PostgreSQL stay correct
# there too (select_for_update is a no-op on SQLite).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # Planner settings for short requests on data held in memory (or SSD),
    # found by `make bench`: parallel workers take longer to start than they
    # save (a page of a 1,000-member list in a large database took 10 ms
    # instead of 1 while they started), and the default random_page_cost
    # (4, for spinning disks) makes PostgreSQL walk 5,000 people in email
    # order to find a small organization's first 50 members rather than
    # sort its 1,000 (15 ms instead of 2).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        env(
            "DJANGO_PG_OPTIONS",
            default="-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1",
        ),
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Abuse limits, as django-ratelimit rates ("count/period"), counted in the
# default cache: shared by every worker and server with Redis, per process
# with the local-memory default. See accounts/throttle.py.
LOGIN_RATE_PER_ACCOUNT = "10/15m"
LOGIN_RATE_PER_CLIENT = "30/15m"
PASSWORD_RESET_RATE_PER_EMAIL = "3/h"  # noqa: S105 (a rate, not a password)
PASSWORD_RESET_RATE_PER_CLIENT = "20/h"  # noqa: S105 (a rate)
# The client's address is the connection's (REMOTE_ADDR) unless the app
# runs behind this many reverse proxies that each append to X-Forwarded-For
# (accounts/http.py, client_address); django-ratelimit's "ip" key uses it.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "accounts.http.client_address"

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, with every login attempt counted before the
# password is checked, on every path that authenticates (the login page, the
# admin's): accounts/backends.py.
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's formats, but French puts "à" before the time (config/formats/fr).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

# Mail goes through Django 6.1's MAILERS, built from EMAIL_URL; the console
# backend by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email["EMAIL_HOST_USER"],
                "password": _email["EMAIL_HOST_PASSWORD"],
                "use_tls": _email.get("EMAIL_USE_TLS", False),
                "use_ssl": _email.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            }
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    },
}
# Each email is sent by a task (accounts/tasks.py); a mailer that fails is
# tried again later, up to EMAIL_ATTEMPTS times in all, waiting
# EMAIL_RETRY_SECONDS, then twice as long each time (30 s, 1, 2, 4 min).
EMAIL_ATTEMPTS = env.int("DJANGO_EMAIL_ATTEMPTS", default=5)
EMAIL_RETRY_SECONDS = env.float("DJANGO_EMAIL_RETRY_SECONDS", default=30)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="seats@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Django's tasks framework with django-tasks-db: the queue is a table of the
# project's database, worked by `python manage.py db_worker` (as many as
# needed). The tests run tasks on enqueue (ImmediateBackend) unless they ask
# for the database (tests/conftest.py, `db_tasks`).
TASKS = {
    "default": {
        "BACKEND": env(
            "DJANGO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"
        ),
    },
}

# Periodic work (lifecycle/): each entry is the dotted path of a callable
# `sweep(*, now: datetime) -> int` that does what is due at `now`, and only
# that, and says how many things it did. The worker runs them every
# LIFECYCLE_TICK_SECONDS, once per period whatever the number of workers;
# `python manage.py lifecycle_tick` runs them once (cron, tests).
LIFECYCLE_SWEEPS = [
    "contracts.services.contract_end.contract_end_sweep",
    "contracts.services.waitlist.waitlist_sweep",
    "contracts.services.group_plans.group_waitlist_sweep",
    "contracts.services.requests.seat_request_digest_sweep",
    "contracts.sweeps.low_seat_sweep",
    "contracts.sweeps.idle_seat_sweep",
    "contracts.sweeps.scheduled_change_sweep",
    "contracts.services.key_attempts.key_attempts_prune_sweep",
]
LIFECYCLE_TICK_SECONDS = env.int("DJANGO_LIFECYCLE_TICK_SECONDS", default=60)

# Content security policy: no inline script or style without the request's
# nonce, no eval (htmx is configured with allowEval off), nothing from other
# origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Behind TLS in production: DJANGO_HTTPS=true turns on the redirect, secure
# cookies and HSTS; DJANGO_SECURE_PROXY_SSL_HEADER=true trusts the proxy's
# X-Forwarded-Proto.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# The address of the site, for links in emails sent outside a request (a
# sweep's reminder).
SITE_URL = env("DJANGO_SITE_URL", default="http://localhost:8000").rstrip("/")
