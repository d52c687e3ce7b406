"""A fixed-window request counter per API token (or per signed-in user), kept in Django's
cache.

The counter is `cache.incr`, or `cache.add` for the first request of a window: both are
atomic in Redis and memcached, so several web processes sharing such a cache count one window
together. The default cache (local memory) is per process: with N gunicorn workers a token
then gets up to N times the limit. `SLADESK_CACHE_URL=redis://...` gives Django's RedisCache
and one shared count (tests/api/test_rate_limit_redis.py proves it with two processes);
docs/api.md says so. A fixed window lets a client make up to twice the limit across a window
boundary; that is the accepted price of one counter per window.

If the cache cannot be reached (Redis down), the request is let through and the failure is
logged: the limit protects the service, and refusing every call would be the outage it
guards against.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimited(Exception):
    retry_after: int
    limit: int
    window: int


def hit(key: str, *, now: float | None = None) -> None:
    """Count one request for `key`; raise RateLimited when the window's limit is passed."""
    limit = int(settings.SLADESK_API_RATE_LIMIT)
    window = int(settings.SLADESK_API_RATE_WINDOW_SECONDS)
    if limit <= 0:
        return
    # The edge of the system: the limiter is about wall-clock request rates, not business time.
    now = time.time() if now is None else now
    start = int(now // window) * window
    cache = caches[settings.SLADESK_API_RATE_CACHE]
    cache_key = f"sladesk:api-rate:{key}:{start}"
    try:
        count = _count(cache, cache_key, timeout=window + 5)
    except Exception:  # the cache's own connection errors differ per backend
        logger.warning("API rate limit not counted: the cache is unreachable", exc_info=True)
        return
    if count > limit:
        raise RateLimited(
            retry_after=max(1, math.ceil(start + window - now)), limit=limit, window=window
        )


def _count(cache: Any, cache_key: str, *, timeout: int) -> int:
    # Most requests find the window's counter: one `incr`. The first of a window creates it
    # with `add`, which only one process can win; a loser counts on the winner's key. The
    # timeout outlives the window by a little, so a counter cannot expire under a request.
    try:
        return int(cache.incr(cache_key))
    except ValueError:
        if cache.add(cache_key, 1, timeout=timeout):
            return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # evicted again in between: this request starts the count again
        cache.add(cache_key, 1, timeout=timeout)
        return 1
