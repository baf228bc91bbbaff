"""A shared cache of whole public pages for anonymous visitors.

Most traffic on a campaign day is anonymous people reading the same few pages. Those pages are
the same for every anonymous visitor of a language and display mode, so the rendered response
is kept in the shared cache (Redis in production). A page is only stored when it is certainly
not personal: anonymous GET, status 200, no messages, no cookie set, and no CSRF token rendered
into it. Signed-in people never get a page from the cache, so they always see their own state.

**Invalidation by version.** A page declares the *topics* it shows (``@public_page(topics=…)``):
an activity page shows ``activity:<id>``, the lists show ``listing``, every page shows ``site``.
Each topic has a version token in the cache; a stored page carries the tokens it was rendered
with, and it is served only while they are still current. A service that changes what a topic
shows calls ``changed(topic, …)``, which replaces the tokens after the transaction commits; the
next visitor gets the new page at once. So pages can stay fresh for long
(``KEPU_PUBLIC_CACHE_SECONDS``, 10 minutes); lists, whose cards show the places left and which
are not invalidated by every sign-up, have a shorter fresh time
(``KEPU_PUBLIC_LIST_CACHE_SECONDS``, 60 s). A view may shorten a page's fresh time further
(``limit_freshness``), e.g. until an activity starts and its sign-up form disappears. The page
and its tokens are read in one ``get_many`` round trip.

**No stampede.** Each page keeps a random 0–15 % of its fresh time back, so that pages
rendered together do not turn stale together. An entry stays in the cache for a bounded time
after it turned stale (``KEPU_PUBLIC_CACHE_STALE_SECONDS``, by default twice the fresh time, at
least 30 s). The first request that finds it stale or out of date takes a short lock
(``cache.add``, atomic in Redis and in the local-memory cache) and renders the page again;
every request arriving meanwhile gets the previous copy at once instead of rendering the same
page too. Only a page that is not in the cache at all is rendered by whoever asks for it.

**One refresh at a time per machine.** Renewing a stale copy also takes the machine's render
slot (a second ``cache.add``, named after the host): while one worker renders a page again,
the workers of the same machine serve the stale copies of other pages rather than render them
alongside. Two renders at once would take both cores of a small server and leave every other
request waiting behind them; one at a time, the pages still turn over many times faster than
they turn stale (a list renders in tens of milliseconds and stays fresh for a minute), and
each stale copy is served for a bounded time only. Each app server has its own slot.

**Cheap hits.** ``PublicPageCacheMiddleware``, right after ``LocaleMiddleware``, answers
anonymous GETs of ``@public_page`` views before the rest of the stack runs: no session, user,
message storage, CSRF, context processors or database. It stores the response as the inner
middleware left it, so a hit carries the same headers as the miss did. Requests with a session
or messages cookie, and signed-in people, go through the whole stack as usual. Without the
middleware the decorator alone caches the view's response, the same way.

A cache that is down only costs speed: pages are rendered as without a cache (and the process
leaves the cache alone for a few seconds before trying again).
"""

import hashlib
import logging
import random
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .middleware import ElderModeMiddleware

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Kepu-Cache"
# Longer than any page takes to render; if the renderer dies, the next request retries after it.
LOCK_SECONDS = 10
MIN_STALE_SECONDS = 30
# Each stored page gives back a random part of its fresh time, up to this share: pages rendered
# together (the rush after a site-wide change or a restart) would otherwise turn stale together,
# be rendered again together and so on every fresh period, each time a burst of renders.
FRESH_SPREAD = 0.15
# After a failed cache call the pages leave the cache alone this long (an unreachable Redis
# would otherwise cost its connect timeout on every request).
DOWN_SECONDS = 5

# Topics every public page may depend on; apps add their own (kepu.activities.pages).
SITE = "site"  # campaigns and anything else shown on many pages
LISTING = "listing"  # which activities are public, and what their cards show
VERSION_PREFIX = "pagever:"
# A version token that expires is recreated with a new value: its pages are rendered again.
VERSION_SECONDS = 24 * 3600

# request attribute set by the middleware: False (not served from the cache) or a _PageRequest
STATE_ATTR = "_kepu_page_cache"
_NO_MIDDLEWARE = object()
_FRESH_FOR_ATTR = "_kepu_fresh_for"

_down_until = 0.0


# --- Redis client --------------------------------------------------------------------------------


class _ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new ``redis.Redis`` object for every cache call (~0.1 ms each, mostly
    its table of response callbacks); one per connection pool is enough, it is thread-safe."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_kepu_clients", {})
        client = clients.get(pool)
        if client is None:
            client = clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache that reuses its client objects (settings.CACHES)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient

    def validate_key(self, key):
        # Redis takes any key; the base class scans every key for what memcached would refuse.
        pass


# --- Helpers -------------------------------------------------------------------------------------


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


def limit_freshness(response, until) -> None:
    """Let the cached copy of ``response`` be fresh at most until ``until`` (a datetime), for a
    page that changes by itself then (an activity that starts, a check-in that opens)."""
    if until is None:
        return
    seconds = (until - timezone.now()).total_seconds()
    current = getattr(response, _FRESH_FOR_ATTR, None)
    setattr(response, _FRESH_FOR_ATTR, seconds if current is None else min(current, seconds))


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
        and _is_anonymous(request)
    )


def _cache_down(exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + DOWN_SECONDS
    logger.warning("page cache unavailable: %s", exc)


def _cache_usable() -> bool:
    return time.monotonic() >= _down_until


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    # Tests switch the cache to another server: forget that the previous one was down.
    global _down_until
    if setting == "CACHES":
        _down_until = 0.0
    if setting == "ROOT_URLCONF":
        _public_view.cache_clear()


# --- Versions ------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_hex(8)


def _bump(topics: tuple[str, ...]) -> None:
    try:
        if len(topics) == 1:  # the usual case (a sign-up): one SET, not a MULTI/EXEC pipeline
            cache.set(VERSION_PREFIX + topics[0], _new_token(), timeout=VERSION_SECONDS)
            return
        cache.set_many(
            {VERSION_PREFIX + topic: _new_token() for topic in topics}, timeout=VERSION_SECONDS
        )
    except Exception as exc:  # noqa: BLE001
        # Pages of these topics stay as they are until their fresh time ends.
        logger.warning("page cache unavailable, pages not invalidated: %s", exc)


def changed(*topics: str) -> None:
    """The public pages showing ``topics`` are out of date once the current transaction commits
    (at once outside a transaction): the next anonymous visitor gets them rendered again."""
    topics = tuple(dict.fromkeys(topics))
    if topics:
        transaction.on_commit(lambda: _bump(topics))


def site_changed() -> None:
    """Something shown on many public pages changed (a campaign): every cached page is out of
    date."""
    changed(SITE)


def _current_versions(found: dict, version_keys: list[str]) -> tuple:
    """The tokens of ``version_keys`` from ``found`` (one get_many); a missing token is created
    (first use, or expired), so that no stored page can match it."""
    missing = [k for k in version_keys if found.get(k) is None]
    if missing:
        for k in missing:
            cache.add(k, _new_token(), timeout=VERSION_SECONDS)
        found = {**found, **cache.get_many(missing)}
    return tuple(found.get(k) for k in version_keys)


# --- Serving -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    """What ``@public_page`` declares about a view."""

    topics: Callable[..., tuple[str, ...]]
    listing: bool = False

    def seconds(self) -> int:
        """Fresh time: the page setting, or for lists the shorter list setting; 0 = off."""
        page = int(getattr(settings, "KEPU_PUBLIC_CACHE_SECONDS", 0))
        if page <= 0 or not self.listing:
            return max(page, 0)
        return min(page, int(getattr(settings, "KEPU_PUBLIC_LIST_CACHE_SECONDS", page)))


@dataclass
class _PageRequest:
    key: str
    seconds: int
    versions: tuple | None  # None: the cache is unavailable, nothing is stored
    locked: bool = False


def _begin(request, page: PublicPage, kwargs: dict):
    """(state, cached response or None): one get_many for the page and its version tokens."""
    seconds = page.seconds()
    key = page_cache_key(request)
    state = _PageRequest(key=key, seconds=seconds, versions=None)
    if not _cache_usable():
        return state, None
    version_keys = [VERSION_PREFIX + topic for topic in page.topics(**kwargs)]
    try:
        found = cache.get_many([key, *version_keys])
        state.versions = _current_versions(found, version_keys)
    except Exception as exc:  # noqa: BLE001
        _cache_down(exc)
        return state, None
    entry = found.get(key)
    if not (isinstance(entry, tuple) and len(entry) == 3):
        return state, None  # not cached (or cached by an older release): render it
    fresh_until, versions, response = entry
    if versions == state.versions and time.time() < fresh_until:
        response[CACHE_HEADER] = "hit"
        return state, response
    if not _take_lock(key):
        response[CACHE_HEADER] = "stale"
        return state, response
    state.locked = True
    return state, None


@lru_cache(maxsize=1)
def render_slot_key() -> str:
    """The cache key of this machine's render slot."""
    return f"page-render-slot:{socket.gethostname()}"


def _take_lock(key: str) -> bool:
    """The machine's render slot and the page's lock, both or neither."""
    slot = render_slot_key()
    try:
        if not cache.add(slot, 1, timeout=LOCK_SECONDS):
            return False
        if cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
            return True
        cache.delete(slot)
        return False
    except Exception as exc:  # noqa: BLE001
        _cache_down(exc)
        return True  # render, as without a cache


def _release_lock(key: str) -> None:
    try:
        cache.delete_many([f"{key}:lock", render_slot_key()])
    except Exception as exc:  # noqa: BLE001
        _cache_down(exc)


def _finish(request, state: _PageRequest, response) -> None:
    """Store ``response`` when it is not personal; say what happened in the header."""
    if state.versions is None:
        response[CACHE_HEADER] = "off"
        return
    if not _cacheable(request, response):
        response[CACHE_HEADER] = "skip"
        return
    # The page differs for signed-in people: shared caches downstream must not mix them up.
    patch_vary_headers(response, ("Cookie",))
    response[CACHE_HEADER] = "miss"
    fresh = state.seconds
    limit = getattr(response, _FRESH_FOR_ATTR, None)
    if limit is not None:
        fresh = min(fresh, max(limit, 0))  # a moment passed while rendering: stale at once
    fresh_until = time.time() + fresh * (1 - FRESH_SPREAD * random.random())
    try:
        cache.set(
            state.key,
            (fresh_until, state.versions, response),
            timeout=state.seconds + stale_seconds(state.seconds),
        )
    except Exception as exc:  # noqa: BLE001
        _cache_down(exc)


def _serve(request, page: PublicPage, kwargs: dict, render: Callable):
    state, cached = _begin(request, page, kwargs)
    if cached is not None:
        return cached
    try:
        response = render()
        _finish(request, state, response)
        return response
    finally:
        if state.locked:
            _release_lock(state.key)


def public_page(view=None, *, topics: Callable[..., tuple[str, ...]] | None = None, listing=False):
    """Serve anonymous GET/HEAD requests of ``view`` from the shared cache when possible.

    ``topics(**url_kwargs)`` names what the page shows (see the module docstring); without it
    the page depends on ``site`` only. ``listing=True`` gives the page the shorter list
    freshness. The response header ``X-Kepu-Cache`` says ``hit``, ``stale`` (the previous copy
    served while another request renders the page), ``miss`` (rendered and stored), ``skip``
    (personal: not stored) or ``off`` (the cache is unreachable: rendered as without it).
    """

    def decorate(view):
        page = PublicPage(topics=topics or _site_only, listing=listing)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            state = getattr(request, STATE_ATTR, _NO_MIDDLEWARE)
            if isinstance(state, _PageRequest):
                return view(request, *args, **kwargs)  # the middleware looks after it
            if (
                page.seconds() <= 0
                or request.method not in ("GET", "HEAD")
                or not _is_anonymous(request)
            ):
                return view(request, *args, **kwargs)
            if state is _NO_MIDDLEWARE and not _has_messages(request):
                return _serve(request, page, kwargs, lambda: _rendered(view, request, args, kwargs))
            response = view(request, *args, **kwargs)
            response[CACHE_HEADER] = "skip"
            return response

        wrapper.public_page = page
        return wrapper

    return decorate(view) if view is not None else decorate


def _site_only(**kwargs) -> tuple[str, ...]:
    return (SITE,)


def _rendered(view, request, args, kwargs):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response


# --- Middleware ----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _public_view(urlconf: str, language: str, path: str):
    """(PublicPage, URL kwargs as items) of the @public_page view at ``path``, or None."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    page = getattr(match.func, "public_page", None)
    if page is None or match.args:
        return None
    return page, tuple(match.kwargs.items())


class PublicPageCacheMiddleware:
    """Answer anonymous GET/HEAD requests of ``@public_page`` views from the shared cache before
    the rest of the middleware runs. Place it right after LocaleMiddleware (the language is
    part of the key, and the inner middleware's headers are part of the stored page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._public_page(request)
        if found is None:
            setattr(request, STATE_ATTR, False)
            return self.get_response(request)
        page, kwargs = found
        # Without a session cookie elder mode follows its cookie only (ElderModeMiddleware).
        request.elder_mode = request.COOKIES.get(ElderModeMiddleware.COOKIE) == "1"
        state, cached = _begin(request, page, kwargs)
        if cached is not None:
            return cached
        setattr(request, STATE_ATTR, state)
        try:
            response = self.get_response(request)
            _finish(request, state, response)
            return response
        finally:
            if state.locked:
                _release_lock(state.key)

    @staticmethod
    def _public_page(request):
        if request.method not in ("GET", "HEAD"):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
            return None  # perhaps signed in, or a message to show: the whole stack decides
        if "HTTP_HX_REQUEST" in request.META:
            return None
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        found = _public_view(urlconf, get_language() or "", request.path_info)
        if found is None:
            return None
        page, kwargs = found
        if page.seconds() <= 0:
            return None
        return page, dict(kwargs)
