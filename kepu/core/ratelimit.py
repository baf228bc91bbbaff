"""Throttles kept in the shared cache (Redis in production), closed when the cache is down."""

import functools
import logging

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _

from .errors import Throttled

logger = logging.getLogger(__name__)


def hit(scope: str, key: str, *, limit: int, window: int) -> None:
    """Count one attempt for ``scope:key`` and refuse once ``limit`` is passed within ``window``.

    Raises Throttled when over the limit, and also when the counter cannot be read or written:
    a throttle that lets everything through while the cache is down protects nothing.
    """
    hits((scope, key, limit, window))


def hits(*throttles: tuple[str, str, int, int]) -> None:
    """``hit`` for several throttles, each ``(scope, key, limit, window)``, in one round trip
    to Redis. They count in order, and an attempt one of them refuses is not counted by those
    after it: a pupil who keeps pressing "start" uses up their own allowance, not their
    school's (the address's)."""
    keys = [f"rl:{scope}:{key}" for scope, key, _limit, _window in throttles]
    limits = [limit for _scope, _key, limit, _window in throttles]
    try:
        counts = _counts(keys, [window for *_rest, window in throttles], limits)
    except Exception:  # noqa: BLE001 - any cache failure must refuse, not allow
        logger.exception("rate-limit store unavailable for %s", ", ".join(t[0] for t in throttles))
        raise Throttled(
            "throttle_unavailable",
            _("This service is temporarily unavailable. Please try again in a few minutes."),
            status=503,
        ) from None
    if any(count > limit for count, limit in zip(counts, limits, strict=False)):
        raise Throttled("throttled", _("Too many attempts. Please wait a while and try again."))


# Each counter in turn: INCR, then EXPIRE only when no expiry is set yet, stopping at the first
# over its limit. One command for all of them instead of Django's add + incr (three round
# trips, as its incr checks that the key exists first) for each: a quiz start counts two
# throttles, thousands of times a minute.
_COUNT_SCRIPT = """
local n = #KEYS
local counts = {}
for i = 1, n do
  counts[i] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[i], 'NX')
  if counts[i] > tonumber(ARGV[n + i]) then break end
end
return counts
"""


@functools.cache
def _count_script():
    from redis.commands.core import Script

    return Script(None, _COUNT_SCRIPT.encode())


def _counts(cache_keys: list[str], windows: list[int], limits: list[int]) -> list[int]:
    """Add one to each counter in turn, up to the first over its limit, and return them; a new
    counter lives its ``window`` seconds."""
    store = caches["default"]
    if isinstance(store, RedisCache):
        keys = [store.make_and_validate_key(k) for k in cache_keys]
        client = store._cache.get_client(keys[0], write=True)
        script = _count_script()
        return [int(n) for n in script(keys=keys, args=windows + limits, client=client)]
    counts = []
    for key, window, limit in zip(cache_keys, windows, limits, strict=True):
        counts.append(_count(key, window))
        if counts[-1] > limit:
            break
    return counts


def _count(cache_key: str, window: int) -> int:
    """Add one to the counter in a cache other than Redis and return it."""
    store = caches["default"]
    try:
        if store.add(cache_key, 1, timeout=window):
            return 1
        return store.incr(cache_key)
    except ValueError:
        # The key expired between add and incr: this attempt starts a new window.
        store.set(cache_key, 1, timeout=window)
        return 1


def reset(scope: str, key: str) -> None:
    try:
        cache.delete(f"rl:{scope}:{key}")
    except Exception:  # noqa: BLE001
        logger.warning("could not reset throttle %s", scope)


def client_address(request) -> str:
    """The client's address as the reverse proxy saw it (the last hop it appended)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and settings.KEPU_TRUST_X_FORWARDED_FOR:
        return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
