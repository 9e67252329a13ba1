"""The settings contract: debug off by default, a secret key required outside development."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# A secret key as `secrets.token_urlsafe(50)` makes one; Django's deploy check wants 50 characters.
REAL_SECRET_KEY = "k3J9vQ2xW7rT5yU8iO1pA4sD6fG0hJ2kL9zX3cV5bN7mQ1wE8rT4yU6iO0pA2sD"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process, with no DJANGO_* variables but the ones given."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_check(**env: str) -> subprocess.CompletedProcess:
    return manage("check", **env)


def production(**env: str) -> dict[str, str]:
    """What a production deployment sets, and nothing else: debug stays off by default."""
    return {"DJANGO_SECRET_KEY": REAL_SECRET_KEY, "DJANGO_ALLOWED_HOSTS": "console.example", **env}


def test_the_console_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_check()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_console_starts_with_a_secret_key_and_debug_off():
    result = run_check(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="console.example")
    assert result.returncode == 0, result.stderr


def test_local_development_needs_only_debug_on():
    result = run_check(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_a_misspelt_debug_flag_fails_loudly():
    result = run_check(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_the_deploy_checks_pass_with_debug_off_a_real_secret_key_and_allowed_hosts():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checks_fail_when_https_is_turned_off():
    # The check is not vacuous: plain HTTP without HSTS is what it exists to catch.
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(DJANGO_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="0"),
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr


def test_the_deploy_checks_fail_with_a_short_secret_key():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **production(DJANGO_SECRET_KEY="short")
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def setting(name: str, **env: str) -> str:
    result = manage(
        "shell", "-v", "0", "-c", f"from django.conf import settings; print(settings.{name})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_defaults_are_https_only_with_secure_cookies_and_hsts():
    env = production()

    assert setting("SECURE_SSL_REDIRECT", **env) == "True"
    assert setting("SESSION_COOKIE_SECURE", **env) == "True"
    assert setting("CSRF_COOKIE_SECURE", **env) == "True"
    assert setting("SECURE_HSTS_SECONDS", **env) == str(365 * 24 * 60 * 60)


def test_local_development_over_plain_http_needs_no_https_settings():
    env = {"DJANGO_DEBUG": "1"}

    assert setting("SECURE_SSL_REDIRECT", **env) == "False"
    assert setting("SESSION_COOKIE_SECURE", **env) == "False"
    assert setting("SECURE_HSTS_SECONDS", **env) == "0"


def test_a_session_lasts_eight_hours_unless_configured_otherwise():
    assert setting("SESSION_COOKIE_AGE", **production()) == str(8 * 60 * 60)
    assert setting("SESSION_COOKIE_AGE", **production(DJANGO_SESSION_SECONDS="3600")) == "3600"


def test_redis_is_given_a_quarter_second_to_answer_unless_configured_otherwise():
    redis = {"REDIS_URL": "redis://cache.internal:6379/0"}
    options = "CACHES['default']['OPTIONS']"

    assert setting(options, **production(**redis)) == str(
        {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    )
    assert setting(options, **production(DJANGO_REDIS_TIMEOUT_MS="100", **redis)) == str(
        {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}
    )


def test_the_wrong_key_limit_is_ten_a_minute_unless_configured_otherwise():
    assert setting("API_FAILURE_LIMIT", **production()) == "10"
    assert setting("API_FAILURE_LIMIT", **production(DJANGO_API_FAILURE_LIMIT="0")) == "0"


def test_a_negative_wrong_key_limit_or_a_zero_redis_timeout_fails_loudly():
    negative = run_check(**production(DJANGO_API_FAILURE_LIMIT="-1"))
    zero = run_check(**production(DJANGO_REDIS_TIMEOUT_MS="0"))

    assert negative.returncode != 0 and "DJANGO_API_FAILURE_LIMIT" in negative.stderr
    assert zero.returncode != 0 and "DJANGO_REDIS_TIMEOUT_MS" in zero.stderr


# Run in a production-configured process: the login page names the hashed stylesheet, and the app
# serves it (whitenoise) with a far-future cache, as it does under gunicorn.
SERVE_STATIC = r"""
import re
from django.test import Client
client = Client(HTTP_HOST="console.example")
page = client.get("/login/", secure=True)
stylesheet = re.search(r'href="(/static/console/console\.[0-9a-f]{12}\.css)"', page.text)[1]
css = client.get(stylesheet, secure=True)
print(page.status_code, css.status_code, css["Cache-Control"])
"""


def test_in_production_the_app_serves_the_collected_static_files_itself(tmp_path):
    env = production(DJANGO_STATIC_ROOT=str(tmp_path))
    collected = manage("collectstatic", "--noinput", **env)
    assert collected.returncode == 0, collected.stderr

    served = manage("shell", "-v", "0", "-c", SERVE_STATIC, **env)

    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["200", "200", "max-age=315360000,", "public,", "immutable"]


# SQLite as a real default: on a live connection made from the settings, as the console makes it.
SQLITE_CONNECTION = r"""
import json, sqlite3
from django.db import connection, transaction


def pragma(name):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def another_writer_may_begin():
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


with transaction.atomic():
    during = another_writer_may_begin()  # nothing read or written yet
print(json.dumps({
    "journal_mode": pragma("journal_mode"),
    "busy_timeout_ms": pragma("busy_timeout"),
    "writer_blocked_during_transaction": not during,
    "writer_free_after": another_writer_may_begin(),
}))
"""


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    database = tmp_path / "console.sqlite3"

    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        SQLITE_CONNECTION,
        **production(DATABASE_URL=f"sqlite:///{database}"),
    )

    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["journal_mode"] == "wal"
    assert state["busy_timeout_ms"] >= 5_000
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so two admins' changes
    # queue at the start instead of one failing halfway with "database is locked".
    assert state["writer_blocked_during_transaction"] is True
    assert state["writer_free_after"] is True


# Email for notices: EMAIL_URL read into Django's EMAIL_… settings.


def test_email_url_becomes_djangos_email_settings():
    from console.settings import email_settings

    assert email_settings("smtp+tls://ops%40example.com:s3cret@mail.example:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "ops@example.com",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    assert email_settings("smtps://mail.example")["EMAIL_PORT"] == 465
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_a_malformed_email_url_stops_the_console_with_the_reason():
    result = run_check(**production(EMAIL_URL="imap://mail.example"))

    assert result.returncode != 0
    assert "EMAIL_URL must look like smtp://" in result.stderr


def test_debug_prints_email_unless_a_server_is_configured():
    script = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    printed = manage("shell", "-c", script, DJANGO_DEBUG="1")

    assert (
        printed.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
    )
