"""Delivery of notices by the scheduler (README, Notices), to real receivers the tests start on
127.0.0.1: a webhook receiver that verifies the signature, and an SMTP server (aiosmtpd). The
clock is the tests' (`clock`); only the slow receiver's test waits, and for under a second."""

from __future__ import annotations

import json
import socket
import time
from datetime import timedelta
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.models.notices import Delivery, Destination, Event
from settings_app.rules.delivery import DeliveryRun, claim, deliver, send_test_notice
from settings_app.rules.notices import emit
from settings_app.rules.schedule import run_notices
from tests.receivers import MailKeeper, start_webhook_receiver, verify

LOCK = AgentUpgrades.LOCK


@pytest.fixture
def receiver(settings):
    settings.NOTICE_PRIVATE_HOSTS = ["127.0.0.1"]
    receiver, server = start_webhook_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(demo, admin, receiver):
    return Destination.objects.create(
        tenant=demo.acme, kind="webhook", name="ops", url=receiver.url, events="tenant.push"
    )


@pytest.fixture
def smtp(settings):
    keeper = MailKeeper()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield keeper
    controller.stop()


def test_a_tenant_push_reaches_the_webhook_signed_with_the_destinations_secret(
    demo, admin, hook, receiver, clock
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    _, run = run_notices()

    assert (run.sent, run.retrying, run.failed) == (1, 0, 0)
    [got] = receiver.received
    assert verify(hook.secret, got.headers["X-Console-Signature"], got.body, clock.now.timestamp())
    body = got.json
    assert body["event"] == "tenant.push"
    assert body["tenant"] == {"uid": demo.acme.uid, "name": "Acme"}
    assert (
        body["text"]
        == "tenant-admin set agent upgrades to lock for all of tenant Acme (5 clusters)"
    )
    assert body["counts"] == {"clustersWritten": 5, "value": "lock"}
    assert got.headers["X-Console-Notice-Id"] == body["id"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status, delivery.attempts) == ("sent", 200, 1)


def test_a_receiver_refuses_a_tampered_body_or_an_old_timestamp(demo, admin, hook, receiver, clock):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    run_notices()
    [got] = receiver.received
    header, now = got.headers["X-Console-Signature"], clock.now.timestamp()

    assert verify(hook.secret, header, got.body, now)
    assert not verify(hook.secret, header, got.body.replace(b"lock", b"unlock"), now)
    assert not verify("whsec_another", header, got.body, now)
    assert not verify(hook.secret, header, got.body, now + 301)  # replayed six minutes on


def test_a_receiver_answering_500_is_retried_with_backoff_and_fails_after_eight_attempts(
    demo, admin, hook, receiver, clock
):
    receiver.status = 500
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    waits = []
    for _ in range(8):
        run_notices()
        delivery = Delivery.objects.get()
        if delivery.state == "pending":
            waits.append((delivery.next_attempt_at - clock.now) / timedelta(minutes=1))
            clock.advance(seconds=(delivery.next_attempt_at - clock.now).total_seconds() - 1)
            assert run_notices()[1] == DeliveryRun()  # not due yet: nothing sent
            clock.advance(seconds=1)

    assert waits == [1, 3, 9, 27, 81, 243, 360]
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 8, 500)
    assert len(receiver.received) == 8
    assert {r.json["id"] for r in receiver.received} == {delivery.notice.uid}  # one stable id


def test_a_receiver_that_is_down_is_retried_and_its_error_kept(demo, admin, hook, clock):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    Destination.objects.filter(pk=hook.pk).update(url=f"http://127.0.0.1:{port}/hook")
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    run_notices()

    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.last_status is None
    assert delivery.last_error.startswith("Could not connect: ConnectionRefusedError")
    assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)


def test_a_slow_receiver_times_out_without_holding_up_another_destination(
    demo, admin, hook, receiver, settings
):
    settings.NOTICE_TIMEOUT_SECONDS = 0.3
    slow_receiver, server = start_webhook_receiver()
    slow_receiver.delay = 2
    Destination.objects.create(
        tenant=demo.acme, kind="webhook", name="slow", url=slow_receiver.url, events="tenant.push"
    )
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    began = time.monotonic()
    _, run = run_notices()
    took = time.monotonic() - began
    server.shutdown()

    assert (run.sent, run.retrying) == (1, 1)
    assert took < 1.5
    slow = Delivery.objects.get(destination__name="slow")
    assert slow.last_error == "No answer within 0.3 s"
    assert Delivery.objects.get(destination=hook).last_status == 200


def test_a_redirect_is_not_followed(demo, admin, hook, receiver):
    receiver.status, receiver.location = 302, "http://169.254.169.254/latest/meta-data/"
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    run_notices()

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status) == ("pending", 302)
    assert len(receiver.received) == 1


def test_two_schedulers_claim_each_attempt_once(demo, admin, hook, receiver, clock):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    due = Delivery.objects.select_related("notice__tenant", "destination__tenant")

    first, second = claim(due, clock.now), claim(due, clock.now)

    assert (len(first), len(second)) == (1, 0)
    assert deliver(now=clock.now).sent == 0  # the claim holds it from a third pass as well
    assert Delivery.objects.get().attempts == 1


def test_an_email_destination_gets_one_message_with_every_notice_of_the_pass(
    demo, admin, smtp, clock
):
    Destination.objects.create(
        tenant=demo.acme,
        kind="email",
        name="ops mail",
        addresses="ops@example.com\noncall@example.com",
        events="tenant.push,key.created",
    )
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.push_tenant(demo.acme, "unlock", actor=admin)

    _, run = run_notices()

    assert run.sent == 2
    [(recipients, message)] = smtp.messages
    assert recipients == ["ops@example.com", "oncall@example.com"]
    assert message["Subject"] == "[Acme] 2 notices"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "set agent upgrades to lock for all of tenant Acme" in text
    assert "set agent upgrades to unlock for all of tenant Acme" in text
    link = f"http://localhost:8000/tenants/{demo.acme.pk}/settings/"
    assert link in text and f'<a href="{link}">Acme</a>' in html
    assert {d.state for d in Delivery.objects.all()} == {"sent"}


def test_an_email_server_that_is_down_leaves_the_deliveries_to_retry(demo, admin, settings, clock):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nothing listens
    Destination.objects.create(
        tenant=demo.acme, kind="email", name="m", addresses="a@example.com", events="tenant.push"
    )
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    run_notices()

    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.last_error.startswith("Email not sent:")


def test_a_test_notice_goes_to_its_destination_at_once_and_to_no_other(demo, admin, hook, receiver):
    Destination.objects.create(
        tenant=demo.acme, kind="webhook", name="other", url=receiver.url + "2", events="test"
    )

    delivery = send_test_notice(hook, actor=admin)

    assert (delivery.state, delivery.last_status) == ("sent", 200)
    [got] = receiver.received
    assert got.path == "/hook"
    assert json.loads(got.body)["text"] == "Test notice for ops, sent by tenant-admin"
    assert Delivery.objects.count() == 1


def test_a_notice_written_before_a_destination_was_added_is_not_sent_to_it(demo, admin, receiver):
    emit(demo.acme, Event.TENANT_PUSH, "before")
    Destination.objects.create(
        tenant=demo.acme, kind="webhook", name="late", url=receiver.url, events="tenant.push"
    )

    assert deliver().sent == 0


def test_run_schedule_delivers_the_outbox_and_says_so(demo, admin, hook, receiver):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    out = StringIO()

    call_command("run_schedule", "--once", stdout=out)

    assert "Notices: 0 written, 1 delivered, 0 to retry, 0 failed." in out.getvalue()
    assert len(receiver.received) == 1
