"""Settings for the console, read from environment variables with development defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "guardian",
    "csp",
    "axes",
    "ninja",  # the API's reference page (/v1/docs) is served from its static files
    "settings_app",
]

MIDDLEWARE = [
    # First: every answer under /v1/ is JSON, errors included, and kept by no cache.
    "settings_app.api.errors.ApiAnswersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Debug mode answers a missing page as production does, not with Django's list of URLs.
    "settings_app.middleware.NotFoundInDebugMiddleware",
    "settings_app.middleware.HtmxLoginRedirectMiddleware",
    "settings_app.middleware.PrivatePagesMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "console.wsgi.application"
ASGI_APPLICATION = "console.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,  # a kept connection is checked before a request reuses it
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked" when two admins act at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 10,
            # WAL is kept in the database file: settings_app.apps switches a new file to it once.
            # Asking for it on every connection takes a lock that does not wait its turn, and
            # failed with "database is locked" when several connections opened at once.
            "init_command": "PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the API's rate limits, which every worker and host must share: the database
# (its table is made by `migrate`), or Redis when REDIS_URL is set (redis://host:6379/0).
# Redis is given DJANGO_REDIS_TIMEOUT_MS to connect and to answer: one that is down or frozen
# costs a request that long at most, and the request goes through uncounted (api/limits.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT_MS = env_int("DJANGO_REDIS_TIMEOUT_MS", 250)
if REDIS_TIMEOUT_MS < 1:
    raise ImproperlyConfigured("DJANGO_REDIS_TIMEOUT_MS must be 1 or more (milliseconds).")


def redis_cache(url: str, timeout_ms: int = REDIS_TIMEOUT_MS) -> dict:
    """The cache settings for the Redis at `url`, with short timeouts (redis-py's own wait 5 s)."""
    seconds = timeout_ms / 1000
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": seconds, "socket_timeout": seconds},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "console_cache",
            # A busy key leaves a few dozen short-lived entries; culling must not drop live ones.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# The API (/v1/), as Palette's: each user may send API_RATE_LIMIT requests a second, with bursts
# of API_RATE_BURST, all of their keys together; beyond that, 429 with Retry-After. An address
# (read as DJANGO_PROXY_COUNT says) may send API_FAILURE_LIMIT wrong keys a minute; beyond that
# all its requests get 429 until the next is allowed. 0 turns either limit off.
API_RATE_LIMIT = env_int("DJANGO_API_RATE_LIMIT", 10)
API_RATE_BURST = env_int("DJANGO_API_RATE_BURST", 5)
API_FAILURE_LIMIT = env_int("DJANGO_API_FAILURE_LIMIT", 10)
if API_RATE_LIMIT < 0 or API_RATE_BURST < 1 or API_FAILURE_LIMIT < 0:
    raise ImproperlyConfigured(
        "DJANGO_API_RATE_LIMIT and DJANGO_API_FAILURE_LIMIT must be 0 (no limit) or more, "
        "DJANGO_API_RATE_BURST 1 or more."
    )

AUTHENTICATION_BACKENDS = [
    # First: refuses a username at an address that is locked out, before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Roles are object permissions; nobody needs guardian's anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): a username at one address is locked out after a few failed
# attempts, for a cool-off; another address, or the same one with another username, is not.
# Locking by the pair keeps someone who guesses at an admin's name from locking that admin out.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "settings_app.throttling.locked_out"
AXES_CLIENT_IP_CALLABLE = "settings_app.throttling.client_address"
# Reverse proxies in front of the console (0: clients connect to gunicorn directly). Behind them,
# the client's address is read from X-Forwarded-For and HTTPS from X-Forwarded-Proto.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# An admin console: a working day per login (DJANGO_SESSION_SECONDS), then log in again.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# htmx sends the token from the page (hx-headers), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "settings_app.views.errors.csrf_failure"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only outside development. Turn the redirect off (DJANGO_SSL_REDIRECT=0) only where
# something else sends plain HTTP to HTTPS, or for a local check over http://127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)

# Content-Security-Policy: our own scripts and stylesheets only; no inline code, no eval.
# htmx is configured by its <meta name="htmx-config"> (no injected styles, no eval).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# The app serves its static files itself (whitenoise). In production they come from STATIC_ROOT,
# filled by `manage.py collectstatic`, with hashed names and compressed copies; in development
# and in the tests (DJANGO_STATIC_FROM_SOURCE=1) straight from the source, no collectstatic.
STATIC_FROM_SOURCE = env_bool("DJANGO_STATIC_FROM_SOURCE", default=DEBUG)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = STATIC_FROM_SOURCE
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_SOURCE
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Notices (Tenant Settings › Notifications). CONSOLE_URL is the console's address as people
# reach it, for the links in notices. Webhooks may not reach loopback, private, link-local or
# metadata addresses, unless their host is one of NOTICE_PRIVATE_HOSTS (which may also use
# plain http). Each attempt waits NOTICE_TIMEOUT_SECONDS at most.
CONSOLE_URL = os.environ.get("DJANGO_CONSOLE_URL", "http://localhost:8000")
NOTICE_PRIVATE_HOSTS = env_list("DJANGO_NOTICE_PRIVATE_HOSTS", [])
NOTICE_TIMEOUT_SECONDS = env_int("DJANGO_NOTICE_TIMEOUT_SECONDS", 5)


def email_settings(url: str) -> dict:
    """EMAIL_URL as Django's EMAIL_… settings: smtp://user:password@host:port (smtp+tls://
    for STARTTLS, smtps:// for TLS from the start), or console:// to print messages."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtp+tls", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:587 (or smtp+tls://, smtps://, "
            f"console://); got scheme {parts.scheme!r}."
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


# Email: EMAIL_URL, or Django's own EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS; with neither, messages are printed (console backend) in debug and sent to
# localhost:25 otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "console@localhost")
EMAIL_TIMEOUT = NOTICE_TIMEOUT_SECONDS
if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
