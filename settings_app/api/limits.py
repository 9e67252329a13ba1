"""The API's rate limit, as Palette's: each key may send API_RATE_LIMIT requests a second, with
bursts of API_RATE_BURST, and is answered 429 with Retry-After beyond that.

Time is cut into slots of 1/API_RATE_LIMIT seconds. A request claims the first free slot among
the current one and the API_RATE_BURST - 1 after it, with the cache's atomic `add()`; when all
are taken it is refused until the next slot starts. That is a token bucket (API_RATE_BURST
tokens, API_RATE_LIMIT a second) made of `add()` alone, which every cache backend does
atomically, so the count is shared by every worker and host that share the cache: the
database's by default, Redis with REDIS_URL."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Read through this name, so that tests can fix the time instead of sleeping.
clock = time.time


def wait_before(key_digest: str) -> float | None:
    """Claim a slot for one request with this key (by its digest: the key itself never reaches
    the cache). None when it may go now; else how many seconds until it may."""
    rate, burst = settings.API_RATE_LIMIT, settings.API_RATE_BURST
    if not rate:
        return None
    interval = 1 / rate
    now = clock()
    first = math.floor(now * rate)
    lifetime = math.ceil(burst * interval) + 2  # the cache forgets a slot once it is past
    try:
        for slot in range(first, first + burst):
            if cache.add(f"api-rate:{key_digest[:32]}:{slot}", 1, lifetime):
                return None
    except Exception:
        # The cache is down: let the request through rather than refuse every one, and say so.
        logger.exception("API rate limit not applied: the cache did not answer")
        return None
    return max((first + 1) * interval - now, 0.001)
