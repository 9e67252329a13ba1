"""Delivery of the outbox, by the scheduler's pass: claim what is due (each attempt exactly
once, even with two schedulers), send every webhook and email at once with a timeout each (a
receiver that hangs holds up nobody else), then record each answer with its next retry."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from ..models.notices import MAX_ATTEMPTS, Delivery, Destination, Event, retry_after
from . import webhooks
from .notices import described, emit

log = logging.getLogger(__name__)
# A claimed attempt that never reports back (the scheduler died mid-send) is tried again after
# this long: longer than any attempt may take.
LEASE = timedelta(minutes=10)
BATCH = 200  # deliveries a pass claims at most; the next pass takes the rest
SENDERS = 8  # receivers waited on at once


@dataclass(frozen=True)
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def claim(due: QuerySet[Delivery], now: datetime) -> list[Delivery]:
    """Take the due deliveries for one attempt each: on PostgreSQL rows another scheduler holds
    are skipped (SKIP LOCKED); everywhere a delivery whose attempt another scheduler took
    meanwhile is left to it (the UPDATE matches only the attempt we read)."""
    with transaction.atomic():
        rows = due.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        found = list(rows.order_by("next_attempt_at", "pk")[:BATCH])
        mine = []
        for delivery in found:
            taken = Delivery.objects.filter(
                pk=delivery.pk, state=Delivery.State.PENDING, attempts=delivery.attempts
            ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
            if taken:
                delivery.attempts += 1
                delivery.last_attempt_at = now
                mine.append(delivery)
    return mine


def webhook_body(delivery: Delivery) -> bytes:
    """What a webhook receives: the notice's stable id, event, tenant, time, objects, counts and
    a one-line `text` (which a Slack incoming webhook shows as it is)."""
    notice = delivery.notice
    tenant = notice.tenant
    return json.dumps(
        {
            "id": notice.uid,
            "event": notice.event,
            "tenant": {"uid": tenant.uid, "name": tenant.name},
            "time": notice.created_at.isoformat(),
            "objects": notice.payload.get("objects", []),
            "counts": notice.payload.get("counts", {}),
            "text": notice.payload.get("text", ""),
        },
        separators=(",", ":"),
    ).encode()


def _webhook(delivery: Delivery, now: datetime):
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Console-Notices/1",
        "X-Console-Notice-Id": delivery.notice.uid,
        webhooks.SIGNATURE_HEADER: webhooks.signature(
            delivery.destination.secret, int(now.timestamp()), body
        ),
    }
    timeout = settings.NOTICE_TIMEOUT_SECONDS
    return lambda: webhooks.post(delivery.destination.url, body, headers, timeout)


def email_message(destination: Destination, deliveries: list[Delivery]) -> EmailMultiAlternatives:
    """One message for all of a destination's notices of this pass: text and HTML."""
    notices = [d.notice for d in deliveries]
    context = {"destination": destination, "notices": notices}
    tenant = destination.tenant.name
    subject = (
        f"[{tenant}] {notices[0].payload.get('text', '')}"
        if len(notices) == 1
        else f"[{tenant}] {len(notices)} notices"
    )
    message = EmailMultiAlternatives(
        subject=subject[:200],
        body=render_to_string("settings_app/notice_email.txt", context),
        to=destination.address_list,
        headers={"X-Console-Notice-Ids": ",".join(n.uid for n in notices)},
    )
    message.attach_alternative(
        render_to_string("settings_app/notice_email.html", context), "text/html"
    )
    return message


def _email(destination: Destination, deliveries: list[Delivery]):
    message = email_message(destination, deliveries)

    def send() -> webhooks.Answer:
        try:
            message.connection = get_connection(timeout=settings.NOTICE_TIMEOUT_SECONDS)
            message.send()
        except TimeoutError:
            return webhooks.Answer(error=f"No answer within {settings.NOTICE_TIMEOUT_SECONDS} s")
        except Exception as failure:  # any mail server's refusal is this attempt's answer
            return webhooks.Answer(error=f"Email not sent: {failure}"[:300])
        return webhooks.Answer(status=None, error="")

    return send


def record(delivery: Delivery, answer: webhooks.Answer, now: datetime, *, emailed: bool) -> str:
    """Write down an attempt's answer: sent, another try after its backoff, or failed."""
    ok = answer.ok or (emailed and not answer.error)
    if ok:
        state, next_at = Delivery.State.SENT, now
    elif delivery.attempts >= MAX_ATTEMPTS:
        state, next_at = Delivery.State.FAILED, now
    else:
        state, next_at = Delivery.State.PENDING, now + retry_after(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state,
        next_attempt_at=next_at,
        last_status=answer.status,
        last_error=answer.error,
    )
    delivery.state, delivery.next_attempt_at = state, next_at
    delivery.last_status, delivery.last_error = answer.status, answer.error
    return state


def deliver(due: QuerySet[Delivery] | None = None, now: datetime | None = None) -> DeliveryRun:
    """One pass over the outbox (or over `due`): each claimed webhook delivery is one request,
    each destination's emails one message; all are sent at once, SENDERS at a time."""
    now = now or timezone.now()
    if due is None:
        due = Delivery.objects.all()
    claimed = claim(due.select_related("notice__tenant", "destination__tenant"), now)
    jobs: list[tuple[list[Delivery], bool, object]] = []
    emails: dict[int, list[Delivery]] = {}
    for delivery in claimed:
        if delivery.destination.kind == Destination.Kind.EMAIL:
            emails.setdefault(delivery.destination_id, []).append(delivery)
        else:
            jobs.append(([delivery], False, _webhook(delivery, now)))
    for grouped in emails.values():
        jobs.append((grouped, True, _email(grouped[0].destination, grouped)))
    if not jobs:
        return DeliveryRun()
    with ThreadPoolExecutor(max_workers=min(SENDERS, len(jobs))) as pool:
        answers = list(pool.map(lambda job: job[2](), jobs))
    states = []
    for (deliveries, emailed, _), answer in zip(jobs, answers, strict=True):
        states += [record(d, answer, now, emailed=emailed) for d in deliveries]
    State = Delivery.State
    return DeliveryRun(
        states.count(State.SENT), states.count(State.PENDING), states.count(State.FAILED)
    )


def send_test_notice(destination: Destination, *, actor) -> Delivery:
    """A test notice to one destination, sent now (and retried by the scheduler if it fails)."""
    by = actor.get_username() if actor else "the command line"
    with transaction.atomic():
        notice = emit(
            destination.tenant_id,
            Event.TEST,
            f"Test notice for {destination.name}, sent by {by}",
            objects=[described(destination.tenant)],
            to=destination,
        )
    deliver(Delivery.objects.filter(notice=notice, destination=destination))
    return Delivery.objects.select_related("notice").get(notice=notice, destination=destination)
