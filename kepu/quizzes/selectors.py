"""Reads shared by the quiz pages, the API and the exports."""

import copy
import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.utils import timezone

from kepu.accounts.models import User
from kepu.campaigns.models import Campaign
from kepu.core import sql
from kepu.core.text import mask_phone
from kepu.organisations import scoping
from kepu.organisations.models import Organisation, Region, lineage_paths

from . import leaderboard, pacing
from .models import Attempt, Best, PrizeDraw, Question, Quiz

PERM = "quizzes.manage"
LETTERS = "ABCDEFGH"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***, Nguyễn Văn An → N*** A**: enough to recognise oneself."""
    name = (name or "").strip()
    if not name:
        return "***"
    if " " in name:
        parts = name.split()
        return " ".join(p[0] + "*" * min(len(p) - 1, 3) for p in (parts[0], parts[-1]))
    return name[0] + "*" * max(len(name) - 1, 1)


# --- Staff --------------------------------------------------------------------------------------


def questions_for(user, *, q: str = "", topic: str = "", language: str = "", retired=False):
    questions = Question.objects.for_user(user, PERM).select_related("organisation")
    if not retired:
        questions = questions.filter(is_retired=False)
    if q:
        questions = questions.filter(stem__icontains=q.strip()[:100])
    if topic:
        questions = questions.filter(topic=topic)
    if language:
        questions = questions.filter(language=language)
    return questions.order_by("organisation__path", "topic", "id")


def topics_for(user) -> list[str]:
    return list(
        Question.objects.for_user(user, PERM)
        .exclude(topic="")
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct()
    )


def managed_question_or_404(user, pk: int) -> Question:
    return scoping.get_for_user_or_404(
        Question.objects.select_related("organisation"), user, PERM, pk=pk
    )


def managed_campaign_or_404(user, pk: int) -> Campaign:
    """A campaign whose organiser is inside, or above, the person's quizzes.manage subtrees."""
    try:
        campaign = Campaign.objects.select_related("organiser").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None
    paths = scoping.granted_paths(user, PERM)
    path = campaign.organiser.path
    if not any(path.startswith(p) or p.startswith(path) for p in paths):
        raise Http404
    return campaign


def quizzes_of(user, campaign: Campaign):
    return (
        Quiz.objects.for_user(user, PERM)
        .filter(campaign=campaign)
        .select_related("organisation")
        .annotate(participants=Count("bests", distinct=True))
        .order_by("-opens_at", "id")
    )


def managed_quiz_or_404(user, pk: int) -> Quiz:
    return scoping.get_for_user_or_404(
        Quiz.objects.select_related("campaign", "organisation"), user, PERM, pk=pk
    )


def organisations_for(user):
    return scoping.organisations_for(user, PERM).order_by("path")


# --- The public ---------------------------------------------------------------------------------


# A quiz is read on every request of its surge (thousands a minute) and changes rarely: each
# process keeps it, with its campaign, organiser and eligible regions and organisations, for a
# few seconds. What must be exact is read with the request's own statement instead: the
# window and status when an attempt starts, the leaderboard's stale flag with the attempt.
# A change made through the ORM in this process forgets it at once (signals, kepu.quizzes.apps);
# other processes see it within QUIZ_SECONDS.
QUIZ_SECONDS = 5.0
_QUIZZES: dict[int, tuple[float, Quiz | None]] = {}
_QUIZZES_MAX = 1000


def _quiz_seconds() -> float:
    return getattr(settings, "KEPU_QUIZ_CACHE_SECONDS", QUIZ_SECONDS)


def _load_quiz(pk: int) -> Quiz | None:
    quiz = (
        Quiz.objects.select_related("campaign", "organisation")
        .prefetch_related("eligible_regions", "eligible_organisations")
        .filter(pk=pk)
        .first()
    )
    if quiz is not None:
        quiz.is_restricted  # noqa: B018 -- read once here, kept by every copy handed out
    return quiz


def quiz_by_id(pk: int) -> Quiz | None:
    """The quiz (any status), from this process's memory when read less than QUIZ_SECONDS ago.

    Each caller gets its own copy, so that nothing a request sets on it reaches another."""
    now = time.monotonic()
    kept = _QUIZZES.get(pk)
    if kept is None or kept[0] < now:
        if len(_QUIZZES) >= _QUIZZES_MAX:
            _QUIZZES.clear()
        kept = (now + _quiz_seconds(), _load_quiz(pk))
        _QUIZZES[pk] = kept
    if kept[1] is None:
        return None
    quiz = copy.copy(kept[1])
    quiz._prefetched_objects_cache = dict(kept[1]._prefetched_objects_cache)
    return quiz


def forget_quiz(pk: int | None = None) -> None:
    """Drop a quiz (every quiz with None) from this process's memory."""
    if pk is None:
        _QUIZZES.clear()
    else:
        _QUIZZES.pop(pk, None)


def public_quiz_or_404(pk: int) -> Quiz:
    try:
        quiz = quiz_by_id(int(pk))
    except (ValueError, TypeError, OverflowError):
        raise Http404 from None
    if quiz is None or quiz.status != Quiz.Status.PUBLISHED or not quiz.campaign.is_public:
        raise Http404
    return quiz


def public_quizzes_of(campaign: Campaign) -> list[Quiz]:
    return list(Quiz.objects.public().filter(campaign=campaign).order_by("opens_at", "id"))


def open_quizzes(limit: int = 6) -> list[Quiz]:
    """Published quizzes open now, closing soonest first (a quiz may belong to a campaign whose
    own dates are long past, as the seeds' epidemic quizzes do)."""
    now = timezone.now()
    return list(
        Quiz.objects.public()
        .filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("campaign")
        .order_by("closes_at", "id")[:limit]
    )


def own_attempt_or_404(user, public_id) -> Attempt:
    """The person's own attempt; someone else's, or a made-up id, is simply not found.

    One statement by (public id, person), written once (kepu.core.sql), with the quiz's
    leaderboard flag; the quiz itself comes from ``quiz_by_id``."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        public_id = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        raise Http404 from None
    row = sql.fetch_one(_own_attempt_sql(), [public_id_value(public_id), user.pk])
    attempt = attempt_of(row)
    if attempt is None:
        raise Http404
    return attempt


def attempt_of(row: tuple | None) -> Attempt | None:
    """The attempt read with ``attempt_columns()`` (by ``_own_attempt_sql`` or with the token),
    with its quiz, or None when nothing was read (no row, or a LEFT JOIN's empty one) or the
    quiz is gone."""
    if row is None or row[0] is None:
        return None
    attempt = ATTEMPT.build(row[:-1])
    quiz = quiz_by_id(attempt.quiz_id)
    if quiz is None:
        return None
    quiz.leaderboard_stale = bool(row[-1])
    attempt.quiz = quiz
    return attempt


# Every column of an attempt, read back as the ORM would build it.
ATTEMPT = sql.Shape(Attempt, sql.attnames(Attempt), alias="a")


def public_id_value(public_id: uuid.UUID):
    return Attempt._meta.get_field("public_id").get_db_prep_value(public_id, connection)


def attempt_columns() -> str:
    """Every column of the attempt aliased ``a``, and its quiz's leaderboard flag."""
    a, q = Attempt, Quiz
    return (
        f"{ATTEMPT.select}, (SELECT {sql.column(q, 'leaderboard_stale', 'q')} "
        f"FROM {sql.table(q)} q WHERE {sql.column(q, 'id', 'q')} = {sql.column(a, 'quiz_id', 'a')})"
    )


ATTEMPT_WIDTH = len(ATTEMPT) + 1  # the columns attempt_columns() selects


def attempt_key(person: str = "%s") -> str:
    """The condition on the attempt aliased ``a``: its public id (a placeholder) and its
    person (``person``: a placeholder, or the column of a person read in the statement)."""
    a = Attempt
    return f"{sql.column(a, 'public_id', 'a')} = %s AND {sql.column(a, 'user_id', 'a')} = {person}"


@cache
def _own_attempt_sql() -> str:
    return f"SELECT {attempt_columns()} FROM {sql.table(Attempt)} a WHERE {attempt_key()}"


def region_choices(quiz: Quiz):
    """Regions a participant picks from: the eligible ones and below, or those under the
    organiser's region."""
    eligible = list(quiz.eligible_regions.all())
    if eligible:
        return Region.objects.filter(scoping.subtree_q([r.path for r in eligible], "")).order_by(
            "path"
        )
    if quiz.organisation.region_id:
        root = quiz.organisation.region
        return Region.objects.filter(path__startswith=root.path).order_by("path")
    return Region.objects.order_by("path")[:500]


def eligible_region_choices(campaign: Campaign, quiz: Quiz | None = None):
    """Regions an organiser may limit a quiz of ``campaign`` to: the campaign organiser's
    region and those below it (every region for an organiser without one), and the regions
    the quiz is limited to already."""
    regions = Region.objects.all()
    root = campaign.organiser.region
    if root is not None:
        chosen = quiz.eligible_region_ids if quiz is not None else []
        regions = regions.filter(Q(path__startswith=root.path) | Q(pk__in=chosen))
    return regions.order_by("path")


def organisation_choices(quiz: Quiz):
    eligible = list(quiz.eligible_organisations.all())
    roots = [o.path for o in eligible] or [quiz.organisation.path]
    return Organisation.objects.filter(scoping.subtree_q(roots, "")).order_by("path")[:500]


# Questions in papers never change (an edit writes a new question): their text can be kept in
# this process's memory.
_TEXTS: dict[int, dict] = {}


def question_texts(ids: list[int]) -> dict[int, dict]:
    found = {qid: _TEXTS[qid] for qid in ids if qid in _TEXTS}
    missing = [qid for qid in ids if qid not in found]
    if missing:
        if len(_TEXTS) > 50_000:
            _TEXTS.clear()
        rows = Question.objects.filter(pk__in=missing).values(
            "pk", "stem", "kind", "options", "correct", "explanation", "is_locked"
        )
        for row in rows:
            text = {
                "stem": row["stem"],
                "kind": row["kind"],
                "options": {o["id"]: o["text"] for o in row["options"]},
                "correct": list(row["correct"]),
                "explanation": row["explanation"],
            }
            found[row["pk"]] = text
            if row["is_locked"]:
                _TEXTS[row["pk"]] = text
    return found


# A question missing from the bank (never the case for a paper: questions are retired, not
# deleted) shows empty.
NO_TEXT = {"stem": "", "kind": "", "options": {}, "correct": [], "explanation": ""}


@dataclass
class PaperQuestion:
    id: int
    number: int
    stem: str
    kind: str
    multiple: bool
    options: list[dict]  # {"id", "label", "text", "chosen"}
    answered: bool
    correct: list[str] = field(default_factory=list)  # only after submitting, when allowed
    explanation: str = ""
    is_right: bool | None = None


def paper(attempt: Attempt, *, reveal: bool = False) -> list[PaperQuestion]:
    """The attempt's questions in its order, options in its order, with the answers chosen.
    The correct answers and explanations are filled only with ``reveal`` (after submitting,
    when the quiz shows them): callers must never pass it before."""
    texts = question_texts(attempt.question_ids())
    out = []
    for number, (qid, option_ids, multiple) in enumerate(attempt.paper, start=1):
        text = texts.get(int(qid)) or NO_TEXT
        chosen = set(attempt.answers.get(str(qid)) or [])
        item = PaperQuestion(
            id=int(qid),
            number=number,
            stem=text["stem"],
            kind=text["kind"],
            multiple=bool(multiple),
            options=[
                {
                    "id": oid,
                    "label": LETTERS[i],
                    "text": text["options"].get(oid, ""),
                    "chosen": oid in chosen,
                }
                for i, oid in enumerate(option_ids)
            ],
            answered=bool(chosen),
        )
        if reveal:
            item.correct = list(text["correct"])
            item.explanation = text.get("explanation", "")
            item.is_right = bool(chosen) and sorted(chosen) == sorted(item.correct)
            for option in item.options:
                option["correct"] = option["id"] in item.correct
        out.append(item)
    return out


def may_reveal(attempt: Attempt) -> bool:
    return attempt.is_submitted and attempt.quiz.show_answers


def seconds_left(attempt: Attempt, now: dt.datetime | None = None) -> int:
    """Seconds until the attempt's time is up (its quiz set)."""
    now = now or timezone.now()
    return max(int((pacing.ends_at(attempt) - now).total_seconds()), 0)


@dataclass(frozen=True)
class Current:
    """The question a paced attempt shows now, and the seconds left for it."""

    question: object  # an item of the questions given; None once no question is left
    index: int
    seconds_left: int


def current_question(attempt: Attempt, questions: list, now: dt.datetime | None = None):
    """A paced attempt's question shown at ``now`` among ``questions`` (its paper in order,
    as ``paper`` or the API builds it) with the seconds left for it; None for an attempt of
    a quiz that is not paced."""
    if not attempt.quiz.is_paced:
        return None
    now = now or timezone.now()
    here = pacing.position(attempt, now)
    end = min(here.deadline, attempt.deadline_at)
    left = max(int((end - now).total_seconds()), 0)
    question = questions[here.index] if here.index < len(questions) else None
    return Current(question=question, index=here.index, seconds_left=left)


def attempts_of(user, quiz: Quiz) -> list[Attempt]:
    if not getattr(user, "is_authenticated", False):
        return []
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-started_at"))
    for attempt in attempts:
        attempt.quiz = quiz
    return attempts


# --- Leaderboards -------------------------------------------------------------------------------


def leaderboard_rows(
    quiz: Quiz, *, scope: str = "all", ident: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[leaderboard.Row], str]:
    """One page of a leaderboard with masked names (two queries: ids, then their rows)."""
    ids, source = leaderboard.top_user_ids(
        quiz, scope=scope, ident=ident, limit=limit, offset=offset
    )
    bests = {
        b.user_id: b
        for b in Best.objects.filter(quiz=quiz, user_id__in=ids).select_related(
            "user", "region", "organisation"
        )
    }
    rows = []
    for position, user_id in enumerate(ids, start=offset + 1):
        best = bests.get(user_id)
        if best is None:
            continue
        rows.append(
            leaderboard.Row(
                rank=position,
                user_id=user_id,
                score=best.score,
                duration_ms=best.duration_ms,
                name=mask_name(best.user.name),
                region=best.region.name if best.region_id else "",
                organisation=best.organisation.name if best.organisation_id else "",
            )
        )
    return rows, source


def leaderboard_scopes(quiz: Quiz) -> tuple[list[Region], list[Organisation]]:
    """Regions and organisations that have a leaderboard (someone of them took part); a region
    board counts the regions below it (leaderboard.region_line), so their ancestors have one."""
    taken = Region.objects.filter(
        pk__in=Best.objects.filter(quiz=quiz).values("region_id")
    ).values_list("path", flat=True)
    paths = {a for path in taken for a in lineage_paths(path, Region.steplen)}
    regions = Region.objects.filter(path__in=sorted(paths)).order_by("path")
    organisations = Organisation.objects.filter(
        pk__in=Best.objects.filter(quiz=quiz).values("organisation_id")
    ).order_by("path")
    return list(regions), list(organisations)


# --- Prize draw ---------------------------------------------------------------------------------


@dataclass
class Winner:
    entry: int
    name: str
    phone: str


def winners(prize_draw: PrizeDraw) -> list[Winner]:
    """The winners in the order drawn, names and phone numbers masked."""
    if not prize_draw.is_drawn:
        return []
    bests = {b.pk: b for b in Best.objects.filter(pk__in=prize_draw.winners).select_related("user")}
    out = []
    for entry in prize_draw.winners:
        best = bests.get(entry)
        user = best.user if best else User(name="")
        out.append(Winner(entry=entry, name=mask_name(user.name), phone=mask_phone(user.phone)))
    return out


def prize_draw_of(quiz: Quiz) -> PrizeDraw | None:
    return PrizeDraw.objects.filter(quiz=quiz).first()


# --- Statistics and abuse -----------------------------------------------------------------------


@dataclass
class Participation:
    attempts: int = 0
    people: int = 0
    submitted: int = 0
    passed: int = 0
    by_region: list[tuple[str, int, int]] = field(default_factory=list)  # name, attempts, people
    by_day: list[tuple[dt.date, int, int]] = field(default_factory=list)


def participation(quiz: Quiz) -> Participation:
    """Attempts and people overall, by region and by day (in the campaign's time zone)."""
    attempts = Attempt.objects.filter(quiz=quiz)
    out = Participation()
    totals = attempts.aggregate(n=Count("id"), people=Count("user", distinct=True))
    out.attempts, out.people = totals["n"], totals["people"]
    out.submitted = attempts.filter(submitted_at__isnull=False).count()
    out.passed = Best.objects.filter(quiz=quiz, score__gte=quiz.pass_mark).count()
    regions = (
        attempts.values("region__name")
        .annotate(n=Count("id"), people=Count("user", distinct=True))
        .order_by("-n", "region__name")
    )
    out.by_region = [(r["region__name"] or "—", r["n"], r["people"]) for r in regions]
    days: dict[dt.date, list] = defaultdict(lambda: [0, set()])
    tz = quiz.campaign.tz
    for started, user_id in attempts.values_list("started_at", "user_id").iterator(chunk_size=5000):
        day = timezone.localtime(started, tz).date()
        days[day][0] += 1
        days[day][1].add(user_id)
    out.by_day = [(day, n, len(people)) for day, (n, people) in sorted(days.items())]
    return out


def fast_seconds(quiz: Quiz) -> int:
    per_question = getattr(settings, "KEPU_QUIZ_FAST_SECONDS_PER_QUESTION", 2)
    return per_question * quiz.question_count


@dataclass
class Suspicious:
    fast: list[Attempt]
    shared_answers: list[tuple[str, int, list[str]]]  # fingerprint, accounts, masked names
    bursts: list[tuple[str, dt.datetime, int]]  # address, hour, attempts started


def suspicious(quiz: Quiz, *, limit: int = 100) -> Suspicious:
    """Attempts an organiser should look at: submitted implausibly fast with a good score, the
    same answers (not all correct) from several accounts, many attempts from one address within
    an hour."""
    submitted = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    fast = list(
        submitted.filter(duration_ms__lt=fast_seconds(quiz) * 1000, score__gte=quiz.pass_mark)
        .select_related("user")
        .order_by("duration_ms")[:limit]
    )
    min_accounts = getattr(settings, "KEPU_QUIZ_SHARED_ANSWERS_ACCOUNTS", 3)
    groups = (
        submitted.filter(score__lt=100)
        .values("fingerprint")
        .annotate(accounts=Count("user", distinct=True))
        .filter(accounts__gte=min_accounts)
        .order_by("-accounts")[:limit]
    )
    groups = list(groups)
    names = defaultdict(list)
    for fingerprint, name in submitted.filter(
        fingerprint__in=[g["fingerprint"] for g in groups]
    ).values_list("fingerprint", "user__name"):
        names[fingerprint].append(mask_name(name))
    shared = [(g["fingerprint"], g["accounts"], names[g["fingerprint"]][:20]) for g in groups]
    burst_limit = getattr(settings, "KEPU_QUIZ_BURST_ATTEMPTS", 30)
    hours: Counter = Counter()
    rows = (
        Attempt.objects.filter(quiz=quiz).exclude(address="").values_list("address", "started_at")
    )
    for address, started in rows.iterator(chunk_size=5000):
        hours[(address, started.replace(minute=0, second=0, microsecond=0))] += 1
    bursts = sorted(
        ((a, h, n) for (a, h), n in hours.items() if n >= burst_limit),
        key=lambda item: -item[2],
    )[:limit]
    return Suspicious(fast=fast, shared_answers=shared, bursts=bursts)


def results_summary(quiz: Quiz) -> dict:
    agg = Best.objects.filter(quiz=quiz).aggregate(
        best=Max("score"), worst=Min("score"), people=Count("id")
    )
    return agg
