"""Two schedulers delivering the same outbox at once, on the shared database of
tests/test_concurrent_admins.py: each notice reaches its receiver (on 127.0.0.1) exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from settings_app.models.notices import Delivery, Destination, Event
from settings_app.rules.delivery import deliver
from settings_app.rules.notices import emit
from tests.receivers import start_webhook_receiver
from tests.test_concurrent_admins import run_at_once, shared_database  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_schedulers_at_once_send_every_notice_exactly_once(shared_database, demo, settings):  # noqa: F811
    settings.NOTICE_PRIVATE_HOSTS = ["127.0.0.1"]
    receiver, server = start_webhook_receiver()
    Destination.objects.create(
        tenant=demo.acme, kind="webhook", name="ops", url=receiver.url, events="tenant.push"
    )
    for number in range(30):
        emit(demo.acme, Event.TENANT_PUSH, f"push {number}")

    def scheduler() -> None:
        for _ in range(3):
            deliver()

    try:
        assert run_at_once(shared_database, [scheduler, scheduler]) == []
    finally:
        server.shutdown()

    sent = Counter(r.json["id"] for r in receiver.received)
    assert len(sent) == 30 and set(sent.values()) == {1}
    with shared_database.in_this_thread():
        assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}
