"""Login throttling (django-axes): a username at one address is locked out after five failed
attempts for fifteen minutes; other addresses and other usernames are not; and the login page
keeps sessions to a working day.

Axes is on for the whole test run, as in production, and stays out of the other tests' way:
they log in with `force_login`, which authenticates nothing, and axes counts attempts in the
database, which each test starts afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse

from settings_app.throttling import client_address
from tests.factories import PASSWORD

OFFICE = "198.51.100.7"
HOME = "203.0.113.9"


def log_in(username: str, password: str, *, address: str = OFFICE) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def may_log_in(username: str = "tenant-admin", *, address: str = OFFICE) -> bool:
    """The right password: does it log the user in, or is the answer the lockout page?"""
    client, response = log_in(username, PASSWORD, address=address)
    logged_in = "_auth_user_id" in client.session
    assert (response.status_code, logged_in) in {(302, True), (429, False)}
    return logged_in


def fail(times: int, username: str = "tenant-admin", *, address: str = OFFICE) -> None:
    for _ in range(times):
        _, response = log_in(username, "not-the-password", address=address)
        assert response.status_code in (200, 429)


def time_passes(minutes: int) -> None:
    """Move every recorded attempt back in time, as if the clock had moved forward."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_defaults_are_five_attempts_and_fifteen_minutes_by_username_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_user_name_longer_than_any_is_refused_before_it_is_tried_or_counted(demo):
    _, response = log_in("x" * 300, "not-the-password")

    assert response.status_code == 200
    assert "at most 150 characters" in response.text
    assert not AccessAttempt.objects.exists()


def test_four_failed_attempts_still_let_the_right_password_in(demo):
    fail(4)

    assert may_log_in()


def test_the_fifth_failed_attempt_locks_the_username_out_at_that_address(demo):
    fail(4)
    _, fifth = log_in("tenant-admin", "not-the-password")

    _, right_password = log_in("tenant-admin", PASSWORD)

    assert fifth.status_code == 429
    assert right_password.status_code == 429
    assert "Too many login attempts" in right_password.text
    assert "blocked for 15 minutes after 5 failed attempts" in right_password.text
    assert not may_log_in()


def test_the_same_username_from_another_address_is_not_locked_out(demo):
    fail(5, address=OFFICE)

    assert may_log_in(address=HOME)


def test_another_username_from_the_locked_address_is_not_locked_out(demo):
    fail(5, "tenant-admin", address=OFFICE)

    assert may_log_in("project-admin", address=OFFICE)


def test_the_lockout_ends_after_the_cool_off(demo):
    fail(5)
    assert not may_log_in()

    time_passes(16)

    assert may_log_in()


def test_an_attempt_during_the_lockout_starts_the_cool_off_again(demo):
    fail(5)
    time_passes(10)
    fail(1)

    time_passes(6)  # sixteen minutes after the lockout, six after the last attempt

    assert not may_log_in()


def test_a_successful_login_clears_the_failed_attempts(demo):
    fail(4)
    assert may_log_in()

    fail(4)

    assert may_log_in()


def test_a_session_from_the_login_page_lasts_eight_hours(demo):
    client, response = log_in("tenant-admin", PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 60 * 60
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "192.0.2.66", "10.0.0.2"),  # no proxy: the header is the client's to invent
        (1, HOME, HOME),
        (1, f"192.0.2.66, {HOME}", HOME),  # the client's own claim is left of the proxy's
        (2, f"192.0.2.66, {HOME}, 10.0.0.3", HOME),
        (2, HOME, "10.0.0.2"),  # fewer entries than proxies: not through them, use the socket
    ],
)
def test_failed_logins_count_against_the_address_the_outermost_proxy_saw(
    settings, proxies, forwarded_for, expected
):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for
    )

    assert client_address(request) == expected
