"""Throttles kept in the shared cache (Redis in production), closed when the cache is down."""

import logging

from django.conf import settings
from django.core.cache import cache
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
        added = cache.add(cache_key, 1, timeout=window)
        count = 1 if added else cache.incr(cache_key)
    except ValueError:
        # The key expired between add and incr: this attempt starts a new window.
        count = 1
        cache.set(cache_key, 1, timeout=window)
    except Exception:  # noqa: BLE001 - any cache failure must refuse, not allow
        logger.exception("rate-limit store unavailable for %s", scope)
        raise Throttled(
            "throttle_unavailable",
            _("This service is temporarily unavailable. Please try again in a few minutes."),
            status=503,
        ) from None
    if count > limit:
        raise Throttled("throttled", _("Too many attempts. Please wait a while and try again."))


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
