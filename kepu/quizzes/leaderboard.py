"""Leaderboards: Redis sorted sets when settings.REDIS_URL is set, the database otherwise.

Order: score (higher first), then time taken (shorter first), then submission time (earlier
first), then the person's id. Both stores order by the same number, ``sort_key`` (lower is
better), computed here from the three keys:

    sort_key = (100 - score) · 2^46  +  min(deciseconds taken, 2^20 - 1) · 2^26
               +  min(seconds from the quiz's opening to the submission, 2^26 - 1)

which stays below 2^53, so a Redis score (a double) holds it exactly. Time taken counts in
tenths of a second up to 29 hours, the submission in seconds up to two years after opening;
the database's rows carry the same number, so both give exactly the same order. Members are the
person's id zero-padded to 12 digits: Redis breaks ties lexicographically, which is then the
numeric order the database uses.

Writes to Redis happen after the database row is written. If Redis cannot be reached the quiz
goes on on the database alone: the quiz is marked ``leaderboard_stale`` and the next read
through Redis rebuilds the sets from the database first (``rebuild``), so the leaderboard
catches up.
"""

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from kepu.organisations.models import Region, lineage_paths

from .models import Best, Quiz

logger = logging.getLogger(__name__)

SCORE_SHIFT = 2**46
DURATION_SHIFT = 2**26
MAX_DECISECONDS = 2**20 - 1
MAX_SECONDS = 2**26 - 1
# After a failed Redis call the leaderboards leave Redis alone this long.
DOWN_SECONDS = 5
_down_until = 0.0


def sort_key(*, score: int, duration_ms: int, submitted_seconds: int) -> int:
    deciseconds = min(max(duration_ms, 0) // 100, MAX_DECISECONDS)
    seconds = min(max(submitted_seconds, 0), MAX_SECONDS)
    return (100 - score) * SCORE_SHIFT + deciseconds * DURATION_SHIFT + seconds


def member(user_id: int) -> str:
    return f"{user_id:012d}"


# --- Redis -----------------------------------------------------------------------------------


@cache
def _client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def client():
    """The Redis client, or None when Redis is not configured or was just found down."""
    url = getattr(settings, "REDIS_URL", "")
    if not url or time.monotonic() < _down_until:
        return None
    return _client(url)


def _down(exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + DOWN_SECONDS
    logger.warning("leaderboard store unavailable: %s", exc)


def reset_down() -> None:
    global _down_until
    _down_until = 0.0


def prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'kepu'}:quiz"


def key(quiz_id: int, scope: str = "all", ident: int | None = None) -> str:
    if scope == "region":
        return f"{prefix()}:{quiz_id}:lb:r:{ident}"
    if scope == "organisation":
        return f"{prefix()}:{quiz_id}:lb:o:{ident}"
    return f"{prefix()}:{quiz_id}:lb"


@lru_cache(maxsize=4096)
def region_line(region_id: int) -> tuple[int, ...]:
    """The region and every region above it: a person of a county is on the boards of the
    county, its city and its province. Regions never move, so this stays in memory."""
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
    if path is None:
        return ()
    paths = lineage_paths(path, Region.steplen)
    return tuple(Region.objects.filter(path__in=paths).values_list("pk", flat=True))


def _keys_of(quiz_id: int, region_id, organisation_id) -> list[str]:
    keys = [key(quiz_id)]
    if region_id:
        keys += [key(quiz_id, "region", r) for r in region_line(region_id)]
    if organisation_id:
        keys.append(key(quiz_id, "organisation", organisation_id))
    return keys


# One command for a submission's boards: leave the boards of the row before (the first
# ARGV[3] keys), join the boards of the new row with the key only lowered (ZADD LT), and answer
# the rank on the first board joined (the overall one). The last key marks the quiz's boards
# as kept in this Redis: set here or by ``rebuild``, it is missing only when Redis has lost
# them (restarted without its data, or evicted them), which the script reports. A script
# instead of a pipeline of the same commands: one reply to read instead of one per board.
_RECORD_SCRIPT = """
local who, sort_key, leave = ARGV[1], ARGV[2], tonumber(ARGV[3])
local fresh = redis.call('SET', KEYS[#KEYS], '1', 'NX') and 1 or 0
for i = 1, leave do redis.call('ZREM', KEYS[i], who) end
for i = leave + 1, #KEYS - 1 do redis.call('ZADD', KEYS[i], 'LT', sort_key, who) end
return {redis.call('ZRANK', KEYS[leave + 1], who), fresh}
"""


@cache
def _record_script(redis):
    return redis.register_script(_RECORD_SCRIPT)


def _kept(quiz_id: int) -> str:
    return f"{key(quiz_id)}:kept"


def record(best: Best, *, previous: tuple | None = None) -> int | None:
    """Put ``best`` in the sorted sets (only lowering a member's key) and return the person's
    overall rank, in one round trip. ``previous`` is the (region id, organisation id) of the
    row before, whose sets lose the member when they changed. None when Redis is not used or
    unreachable (then the quiz is marked stale). When Redis turns out to have lost the quiz's
    boards, the quiz is marked stale too (the next read rebuilds them) and the rank comes
    from the database."""
    redis = client()
    if redis is None:
        if getattr(settings, "REDIS_URL", ""):
            mark_stale(best.quiz_id)
        return None
    leave = []
    if previous and previous != (best.region_id, best.organisation_id):
        leave = _keys_of(best.quiz_id, *previous)[1:]
    join = _keys_of(best.quiz_id, best.region_id, best.organisation_id)
    try:
        rank, fresh = _record_script(redis)(
            keys=[*leave, *join, _kept(best.quiz_id)],
            args=[member(best.user_id), best.sort_key, len(leave)],
        )
    except Exception as exc:  # noqa: BLE001 - any Redis failure: the database carries on
        _down(exc)
        mark_stale(best.quiz_id)
        return None
    if fresh and Best.objects.filter(quiz_id=best.quiz_id).exclude(user_id=best.user_id).exists():
        mark_stale(best.quiz_id)
        return rank_of(Quiz(pk=best.quiz_id, leaderboard_stale=True), best.user_id)
    return None if rank is None else int(rank) + 1


def mark_stale(quiz_id: int) -> None:
    Quiz.objects.filter(pk=quiz_id, leaderboard_stale=False).update(leaderboard_stale=True)


# A rebuild's boards are built aside and live this long if the rebuild dies half-way.
STAGING_SECONDS = 3600
# After the boards are put in place, the rows submitted since this long before the rebuild
# read the database are applied again: longer than any request takes from its clock reading
# to its commit (the app servers' request timeout is 30 s).
CATCH_UP = dt.timedelta(seconds=120)


def rebuild(quiz: Quiz) -> bool:
    """Rebuild the quiz's sorted sets from the database; True when done.

    The boards are built aside (``stage``) and put in place in one transaction
    (``put_in_place``): a reader sees the old boards or the new ones, never a half-built one.
    A submission recorded on the old boards while the new ones were built is not lost: the
    rows submitted since shortly before the rebuild read the database are applied again to
    the boards in place, with ZADD LT. A person's key only ever goes down, so a row applied
    twice changes nothing.
    """
    redis = client()
    if redis is None:
        return False
    # Cleared first: a submission that cannot reach Redis while this runs marks it again.
    Quiz.objects.filter(pk=quiz.pk).update(leaderboard_stale=False)
    try:
        put_in_place(quiz, stage(quiz))
    except Exception as exc:  # noqa: BLE001
        _down(exc)
        mark_stale(quiz.pk)
        return False
    quiz.leaderboard_stale = False
    return True


@dataclass
class Staged:
    """Boards built aside by ``stage``: the board keys and where each was built."""

    started: dt.datetime
    prefix: str
    keys: set


def stage(quiz: Quiz) -> Staged:
    """Build the quiz's boards from the database under keys of their own."""
    redis = client()
    staged = Staged(
        started=timezone.now(),
        prefix=f"{prefix()}:{quiz.pk}:rebuild:{uuid.uuid4().hex}:",
        keys=set(),
    )
    pipe = redis.pipeline(transaction=False)
    for n, (board, who, sk) in enumerate(_entries(quiz, Best.objects.filter(quiz=quiz)), 1):
        pipe.zadd(staged.prefix + board, {who: sk})
        if board not in staged.keys:
            staged.keys.add(board)
            pipe.expire(staged.prefix + board, STAGING_SECONDS)
        if n % 5000 == 0:
            pipe.execute()
    pipe.execute()
    return staged


def _entries(quiz: Quiz, bests):
    """(board, member, sort key) of every board each of ``bests`` is on."""
    rows = bests.values_list("user_id", "sort_key", "region_id", "organisation_id")
    for user_id, sk, region_id, organisation_id in rows.iterator():
        for board in _keys_of(quiz.pk, region_id, organisation_id):
            yield board, member(user_id), sk


def put_in_place(quiz: Quiz, staged: Staged) -> None:
    """Swap the staged boards in (boards nobody is on any more go), mark the boards kept,
    then apply again what was submitted while they were built."""
    redis = client()
    board = key(quiz.pk)
    in_use = {k.decode() if isinstance(k, bytes) else k for k in redis.scan_iter(match=f"{board}*")}
    swap = redis.pipeline(transaction=True)
    gone = in_use - staged.keys - {_kept(quiz.pk)}
    if gone:
        swap.delete(*gone)
    for k in staged.keys:
        swap.rename(staged.prefix + k, k)
        swap.persist(k)
    swap.set(_kept(quiz.pk), 1)
    swap.execute()
    recent = Best.objects.filter(quiz=quiz, submitted_at__gte=staged.started - CATCH_UP)
    pipe = redis.pipeline(transaction=False)
    for board, who, sk in _entries(quiz, recent):
        pipe.zadd(board, {who: sk}, lt=True)
    pipe.execute()


# --- Reading ----------------------------------------------------------------------------------


@dataclass
class Row:
    rank: int
    user_id: int
    score: int
    duration_ms: int
    name: str = ""
    region: str = ""
    organisation: str = ""


def _scope_q(scope: str, ident: int | None) -> Q:
    if scope == "region":
        # The region's own people and those of every region below it, as in Redis.
        path = Region.objects.filter(pk=ident).values_list("path", flat=True).first()
        return Q(region__path__startswith=path) if path else Q(pk__in=[])
    if scope == "organisation":
        return Q(organisation_id=ident)
    return Q()


def _bests(quiz: Quiz, scope: str, ident: int | None):
    return Best.objects.filter(_scope_q(scope, ident), quiz=quiz)


def top_user_ids(
    quiz: Quiz, *, scope: str = "all", ident: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[int], str]:
    """The person ids of one page of the leaderboard, best first, and where they came from
    ("redis" or "database")."""
    redis = client()
    if redis is not None:
        if quiz.leaderboard_stale and not rebuild(quiz):
            redis = None
    if redis is not None:
        try:
            members = redis.zrange(key(quiz.pk, scope, ident), offset, offset + limit - 1)
            return [int(m) for m in members], "redis"
        except Exception as exc:  # noqa: BLE001
            _down(exc)
    ids = (
        _bests(quiz, scope, ident)
        .order_by("sort_key", "user_id")
        .values_list("user_id", flat=True)[offset : offset + limit]
    )
    return list(ids), "database"


def rank_of(quiz: Quiz, user_id: int, *, scope: str = "all", ident: int | None = None):
    """The person's rank (1 = first) on a leaderboard, or None when not on it."""
    redis = client()
    if redis is not None and not quiz.leaderboard_stale:
        try:
            rank = redis.zrank(key(quiz.pk, scope, ident), member(user_id))
            return None if rank is None else int(rank) + 1
        except Exception as exc:  # noqa: BLE001
            _down(exc)
    mine = _bests(quiz, scope, ident).filter(user_id=user_id).values_list("sort_key", flat=True)
    mine = list(mine)
    if not mine:
        return None
    ahead = (
        _bests(quiz, scope, ident)
        .filter(Q(sort_key__lt=mine[0]) | Q(sort_key=mine[0], user_id__lt=user_id))
        .count()
    )
    return ahead + 1
