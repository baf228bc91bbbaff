"""Throttles kept in the shared cache (Redis in production), closed when the cache is down."""

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
    cache_key = f"rl:{scope}:{key}"
    try:
        count = _count(cache_key, window)
    except Exception:  # noqa: BLE001 - any cache failure must refuse, not allow
        logger.exception("rate-limit store unavailable for %s", scope)
        raise Throttled(
            "throttle_unavailable",
            _("This service is temporarily unavailable. Please try again in a few minutes."),
            status=503,
        ) from None
    if count > limit:
        raise Throttled("throttled", _("Too many attempts. Please wait a while and try again."))


def _count(cache_key: str, window: int) -> int:
    """Add one to the counter and return it; a new counter lives ``window`` seconds."""
    store = caches["default"]
    if isinstance(store, RedisCache):
        # One round trip (INCR, then EXPIRE only when no expiry is set yet) instead of the
        # three of add + incr (Django's incr checks that the key exists first): a quiz start
        # counts two throttles, thousands of times a minute.
        key = store.make_and_validate_key(cache_key)
        pipe = store._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        count, _expiry_set = pipe.execute()
        return int(count)
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
