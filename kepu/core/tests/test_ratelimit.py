"""Throttles count in the shared cache: the limit holds, and a window does not slide."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from kepu.core import ratelimit
from kepu.core.errors import Throttled


def test_the_limit_refuses_the_attempt_after_the_last_allowed_one(db):
    for _ in range(3):
        ratelimit.hit("test", "someone", limit=3, window=60)
    with pytest.raises(Throttled) as caught:
        ratelimit.hit("test", "someone", limit=3, window=60)
    assert caught.value.code == "throttled"
    ratelimit.hit("test", "someone-else", limit=3, window=60)  # another key counts apart
    ratelimit.reset("test", "someone")
    ratelimit.hit("test", "someone", limit=3, window=60)


@pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL (CI runs it)"
)
def test_on_redis_the_window_starts_at_the_first_attempt_and_is_not_extended(db):
    store = caches["default"]
    key = store.make_and_validate_key("rl:test:window")
    client = store._cache.get_client(key, write=True)
    ratelimit.hit("test", "window", limit=10, window=60)
    client.expire(key, 5)  # as if 55 seconds had passed
    ratelimit.hit("test", "window", limit=10, window=60)
    assert 0 < client.ttl(key) <= 5
    assert int(client.get(key)) == 2
    assert store.get("rl:test:window") == 2  # the cache API reads the same counter


def test_when_the_counter_store_is_unreachable_the_throttle_refuses(db, settings):
    # A Redis nobody listens on (port 1): a throttle that let everything through while its
    # store is down would protect nothing.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with pytest.raises(Throttled) as caught:
        ratelimit.hit("test", "down", limit=3, window=60)
    assert (caught.value.code, caught.value.status) == ("throttle_unavailable", 503)


def test_throttles_counted_together_count_in_order_up_to_the_one_that_refuses(db):
    # A quiz start counts the person's and the address's throttles in one call (one round
    # trip on Redis). An attempt the person's throttle refuses does not use up the address's
    # (a school's) allowance; one the address's refuses counted for the person.
    for _ in range(2):
        ratelimit.hits(("test", "person", 2, 60), ("test", "school", 3, 60))
    for _ in range(2):
        with pytest.raises(Throttled) as caught:
            ratelimit.hits(("test", "person", 2, 60), ("test", "school", 3, 60))
        assert caught.value.code == "throttled"
    store = caches["default"]
    assert store.get("rl:test:person") == 4 and store.get("rl:test:school") == 2
    ratelimit.hits(("test", "classmate", 2, 60), ("test", "school", 3, 60))
    with pytest.raises(Throttled):
        ratelimit.hits(("test", "classmate", 2, 60), ("test", "school", 3, 60))
    assert store.get("rl:test:classmate") == 2 and store.get("rl:test:school") == 4
    if isinstance(store, RedisCache):  # every counter got its window
        client = store._cache.get_client("x", write=True)
        for name in ("person", "school", "classmate"):
            assert 0 < client.ttl(store.make_and_validate_key(f"rl:test:{name}")) <= 60
