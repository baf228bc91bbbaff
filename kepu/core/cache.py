"""A shared cache of whole public pages for anonymous visitors.

Most traffic on a campaign day is anonymous people reading the same few pages. Those pages are
the same for every anonymous visitor of a language and display mode, so the rendered response
is kept for ``settings.KEPU_PUBLIC_CACHE_SECONDS`` in the shared cache (Redis in production).
A page is only stored when it is certainly not personal: anonymous GET, status 200, no
messages, no cookie set, and no CSRF token rendered into it. Signed-in people never get a page
from the cache, so they always see their own state.
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Kepu-Cache"


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


def public_page(view):
    """Serve anonymous GET/HEAD requests of ``view`` from the shared cache when possible.

    The response header ``X-Kepu-Cache`` says ``hit``, ``miss`` (stored) or ``skip``.
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
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001
            logger.warning("page cache unavailable", exc_info=True)
            cached = None
        if cached is not None:
            cached[CACHE_HEADER] = "hit"
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _cacheable(request, response):
            response[CACHE_HEADER] = "miss"
            try:
                cache.set(key, response, timeout=seconds)
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable", exc_info=True)
        else:
            response[CACHE_HEADER] = "skip"
        return response

    return wrapper
