"""The API's rate limits, kept in Django's cache so that every worker and host shares them: the
database's by default, Redis with REDIS_URL.

- Requests: each user may send API_RATE_LIMIT requests a second, with bursts of API_RATE_BURST,
  all of their keys together (a second key buys no more requests), as Palette's.
- Wrong keys: each client address may send API_FAILURE_LIMIT requests a minute whose key is
  not valid, all at once if it likes; beyond that every request from it is refused, a good key's
  too, so that it learns nothing, until the next one is allowed. A header that cannot be a key
  at all (not 54 characters of URL-safe base64) is refused before either is counted.

Both are token buckets made of the cache's atomic `add()` alone, which every backend does
atomically. Time is cut into slots of 1/rate seconds; a request claims the first free slot among
the current one and the burst - 1 after it, and when all are taken it waits for the next slot.

When the cache does not answer (Redis stopped, or frozen past its short timeout), requests go
through uncounted rather than wait or fail: each process then leaves the cache alone for
QUIET_SECONDS and logs a warning at most once a minute."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Read through these names, so that tests can fix the time instead of sleeping: `clock` for the
# slots (shared by every host, so wall-clock time), `monotonic` for this process's own waits.
clock = time.time
monotonic = time.monotonic

# What a cache that does not answer raises: Redis refused or timed out, or the database's.
CACHE_ERRORS = (RedisError, DatabaseError, OSError)

QUIET_SECONDS = 5.0  # after the cache failed to answer, requests go uncounted this long
WARN_EVERY_SECONDS = 60.0


class CacheHealth:
    """Whether this process may ask the cache now, and when it last said that it could not."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.quiet_until = self.warned_at = -math.inf

    def ask(self, question: Callable[[], T], otherwise: T) -> T:
        """The cache's answer to `question`; `otherwise` when it fails to give one, or failed
        less than QUIET_SECONDS ago."""
        if monotonic() < self.quiet_until:
            return otherwise
        try:
            return question()
        except CACHE_ERRORS as error:
            self.failed(error)
            return otherwise

    def failed(self, error: Exception) -> None:
        now = monotonic()
        self.quiet_until = now + QUIET_SECONDS
        if now - self.warned_at >= WARN_EVERY_SECONDS:
            self.warned_at = now
            logger.warning(
                "API rate limits not applied: the cache did not answer (%s: %s). Requests go "
                "through uncounted until it does; this is logged at most once a minute.",
                type(error).__name__,
                error,
            )


health = CacheHealth()


def wait_before(user_id: int) -> float | None:
    """Claim a slot for one request of this user's, with any of their keys. None when it may
    go now; else how many seconds until it may."""
    rate, burst = settings.API_RATE_LIMIT, settings.API_RATE_BURST
    if not rate:
        return None
    return health.ask(lambda: _claim(f"api-rate:user:{user_id}", rate, burst), None)


def wait_after_failures(address: str) -> float | None:
    """Whether this address has sent its API_FAILURE_LIMIT wrong keys: None when it may send a
    request now; else how many seconds until it may. Only reads the cache."""
    most = settings.API_FAILURE_LIMIT
    if not most:
        return None
    name = _failures(address)
    return health.ask(lambda: _full(name, most / 60, most), None)


def note_failure(address: str) -> None:
    """Count one wrong key from this address."""
    most = settings.API_FAILURE_LIMIT
    if most:
        name = _failures(address)
        health.ask(lambda: _claim(name, most / 60, most), None)


def _failures(address: str) -> str:
    """The cache's name for an address's wrong keys. An IPv6 address counts with its /64, the
    block one customer is given; the name is a digest, whatever the address looks like."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
            parsed = parsed.ipv4_mapped  # ::ffff:198.51.100.9 is 198.51.100.9
        network = str(parsed)
        if parsed.version == 6:
            network = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return f"api-failures:{hashlib.sha256(network.encode()).hexdigest()[:32]}"


def _slots(rate: float, burst: int) -> tuple[float, int, range]:
    """Now, the current slot, and the burst's slots from it (a range: a burst of a million
    costs no list of a million)."""
    now = clock()
    first = math.floor(now * rate)
    return now, first, range(first, first + burst)


def _claim(name: str, rate: float, burst: int) -> float | None:
    now, first, slots = _slots(rate, burst)
    lifetime = math.ceil(burst / rate) + 2  # the cache forgets a slot once it is past
    for slot in slots:
        if cache.add(f"{name}:{slot}", 1, lifetime):
            return None
    return max((first + 1) / rate - now, 0.001)


def _full(name: str, rate: float, burst: int) -> float | None:
    now, first, slots = _slots(rate, burst)
    if len(cache.get_many([f"{name}:{slot}" for slot in slots])) < burst:
        return None
    return max((first + 1) / rate - now, 0.001)
