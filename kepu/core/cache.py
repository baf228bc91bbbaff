"""A shared cache of whole public pages for anonymous visitors.

Most traffic on a campaign day is anonymous people reading the same few pages. Those pages are
the same for every anonymous visitor of a language and display mode, so the rendered response
is kept for ``settings.KEPU_PUBLIC_CACHE_SECONDS`` in the shared cache (Redis in production).
A page is only stored when it is certainly not personal: anonymous GET, status 200, no
messages, no cookie set, and no CSRF token rendered into it. Signed-in people never get a page
from the cache, so they always see their own state.

Expiry does not cause a stampede. An entry stays in the cache for a bounded time after it
turned stale (``KEPU_PUBLIC_CACHE_STALE_SECONDS``, by default twice the fresh time, at least
30 s). The first request that finds it stale takes a short lock (``cache.add``, atomic in
Redis and in the local-memory cache) and renders the page again; every request arriving
meanwhile gets the stale copy at once instead of rendering the same page too. Only a page that
is not in the cache at all (first visit, or unvisited for longer than the grace time) is
rendered by whoever asks for it.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Kepu-Cache"
# Longer than any page takes to render; if the renderer dies, the next request retries after it.
LOCK_SECONDS = 10
MIN_STALE_SECONDS = 30


def _has_messages(request) -> bool:
    try:
        return len(get_messages(request)) > 0
    except Exception:  # noqa: BLE001 - no message storage (e.g. a bare test request)
        return False


def _is_anonymous(request) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def page_cache_key(request) -> str:
    """Scheme, host, full path, language and elder mode: everything an anonymous page varies on."""
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        get_language() or "",
        "elder" if getattr(request, "elder_mode", False) else "standard",
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{digest}"


def stale_seconds(fresh: int) -> int:
    """How long a stale copy may still be served while one request renders the page again."""
    configured = getattr(settings, "KEPU_PUBLIC_CACHE_STALE_SECONDS", None)
    if configured is not None:
        return max(int(configured), 0)
    return max(2 * fresh, MIN_STALE_SECONDS)


def _cacheable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and not response.has_header("Cache-Control")
        and not getattr(response, "streaming", False)
        # get_token() was called: the page carries a CSRF token (a form) and is personal.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not _has_messages(request)
    )


def _read(key: str):
    """(response, fresh) from the cache, or (None, False); a cache that is down is a miss."""
    try:
        entry = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable", exc_info=True)
        return None, False
    if isinstance(entry, tuple) and len(entry) == 2:
        fresh_until, response = entry
        return response, time.time() < fresh_until
    return None, False


def _take_lock(key: str) -> bool:
    try:
        return bool(cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS))
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable", exc_info=True)
        return True  # render, as without a cache


def _release_lock(key: str) -> None:
    try:
        cache.delete(f"{key}:lock")
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable", exc_info=True)


def _render_and_store(view, request, args, kwargs, key: str, seconds: int):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if _cacheable(request, response):
        response[CACHE_HEADER] = "miss"
        try:
            cache.set(
                key,
                (time.time() + seconds, response),
                timeout=seconds + stale_seconds(seconds),
            )
        except Exception:  # noqa: BLE001
            logger.warning("page cache unavailable", exc_info=True)
    else:
        response[CACHE_HEADER] = "skip"
    return response


def public_page(view):
    """Serve anonymous GET/HEAD requests of ``view`` from the shared cache when possible.

    The response header ``X-Kepu-Cache`` says ``hit``, ``stale`` (an expired copy served while
    another request renders the page), ``miss`` (rendered and stored) or ``skip``.
    A cache that is down only costs speed: the page is rendered as usual.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "KEPU_PUBLIC_CACHE_SECONDS", 0)
        if seconds <= 0 or request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        if _has_messages(request):
            response = view(request, *args, **kwargs)
            response[CACHE_HEADER] = "skip"
            return response
        key = page_cache_key(request)
        cached, fresh = _read(key)
        if cached is not None and fresh:
            cached[CACHE_HEADER] = "hit"
            return cached
        if cached is None:
            # Nothing to serve meanwhile: render (concurrent first visitors each render).
            return _render_and_store(view, request, args, kwargs, key, seconds)
        if not _take_lock(key):
            cached[CACHE_HEADER] = "stale"
            return cached
        try:
            return _render_and_store(view, request, args, kwargs, key, seconds)
        finally:
            _release_lock(key)

    return wrapper
