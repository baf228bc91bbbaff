"""Taking a quiz: start an attempt, save answers as one goes, submit. The surge path.

Each call is a few statements: the quiz row carries its frozen pool (question ids, topics,
difficulties and option ids), so drawing a paper reads no question; an attempt is one INSERT;
saving answers is one conditional UPDATE without a row lock; submitting is one conditional
UPDATE of the attempt with the person's best row (one statement on PostgreSQL, see
``statements``) and one Redis round trip for the leaderboard.

The clock is the server's. An attempt's deadline is fixed when it starts (the quiz's time limit,
never later than the quiz's closing); answers arriving after the deadline plus a small grace
(network delay) are refused, and a submission after it is scored as the attempt stood at the
deadline. A quiz with a time limit per question is paced (``pacing``): one question at a time,
each with its own deadline, no going back. The attempts policy (once, N times, N a day) is
enforced by a unique constraint on (quiz, person, slot): two starts racing for the same slot
cannot both insert.
"""

import datetime as dt
import hashlib
import json
import random
import secrets
import uuid
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.accounts.models import User
from kepu.core import ratelimit, sql
from kepu.core.errors import Conflict, DomainError, Forbidden
from kepu.organisations.models import Organisation, Region

from . import leaderboard, pacing, statements
from .models import Attempt, Best, Question, Quiz

GRACE_SECONDS = 10
# (attempts, seconds) per account and per address; a school behind one address sends many.
START_LIMIT = (10, 60)
START_ADDRESS_LIMIT = (600, 60)
SAVE_LIMIT = (240, 60)


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "KEPU_QUIZ_GRACE_SECONDS", GRACE_SECONDS))


def _limits(name: str, default: tuple[int, int]) -> tuple[int, int]:
    return getattr(settings, name, default)


def time_is_up(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Past the attempt's time and the grace: nothing it is sent any more counts."""
    return (now or timezone.now()) > pacing.ends_at(attempt) + grace()


def in_progress(attempt: Attempt, now: dt.datetime) -> bool:
    """Not submitted and its time not up: starting again continues this attempt."""
    return attempt.submitted_at is None and not time_is_up(attempt, now)


# --- The paper ---------------------------------------------------------------------------------


def pool_entry(question: Question) -> list:
    """What the frozen pool keeps of a question: [id, topic, difficulty, option ids, kind]."""
    return [question.pk, question.topic, question.difficulty, question.option_ids(), question.kind]


def pick_questions(quiz: Quiz, entries: list[list], rng: random.Random) -> list[list] | None:
    """Entries of the pool for one paper, following the quiz's mix; None when the pool cannot
    supply it."""
    if not quiz.mix:
        if len(entries) < quiz.question_count:
            return None
        return rng.sample(entries, quiz.question_count)
    chosen: list[list] = []
    taken: set[int] = set()
    for rule in quiz.mix:
        topic, difficulty = rule.get("topic") or "", rule.get("difficulty")
        candidates = [
            e
            for e in entries
            if e[0] not in taken
            and (not topic or e[1] == topic)
            and (not difficulty or e[2] == int(difficulty))
        ]
        count = int(rule.get("count") or 0)
        if len(candidates) < count:
            return None
        for entry in rng.sample(candidates, count):
            chosen.append(entry)
            taken.add(entry[0])
    rng.shuffle(chosen)
    return chosen


def draw_paper(quiz: Quiz, language: str) -> list[list]:
    """A randomised paper: question order and each question's option order shuffled (true or
    false keeps its order). Items are [question id, option ids as shown, multiple?]."""
    rng = random.Random(secrets.randbits(64))
    chosen = pick_questions(quiz, quiz.pool.get(language) or [], rng)
    if chosen is None:
        raise Conflict("pool_too_small", _("This quiz has too few questions. Try again later."))
    paper = []
    for qid, _topic, _difficulty, option_ids, kind in chosen:
        options = list(option_ids)
        if kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(options)
        paper.append([qid, options, kind == Question.Kind.MULTIPLE])
    return paper


def paper_language(quiz: Quiz, wanted: str) -> str:
    """The person's language when the quiz offers it, else the quiz's first language."""
    languages = [lang for lang in quiz.languages if quiz.pool.get(lang)]
    if wanted in languages:
        return wanted
    return languages[0] if languages else (quiz.languages or [settings.LANGUAGE_CODE])[0]


# --- Eligibility and the attempts policy --------------------------------------------------------


def check_eligible(quiz: Quiz, region: Region | None, organisation: Organisation | None) -> None:
    """Raise DomainError("not_eligible") when the quiz is only for people of given regions or
    organisations and the person's region or organisation is not one of them (or below)."""
    regions = list(quiz.eligible_regions.all())
    if regions and (region is None or not any(region.path.startswith(r.path) for r in regions)):
        raise DomainError(
            "not_eligible", _("This quiz is only open to people of the regions listed.")
        )
    organisations = list(quiz.eligible_organisations.all())
    if organisations and (
        organisation is None or not any(organisation.is_within(o) for o in organisations)
    ):
        raise DomainError(
            "not_eligible", _("This quiz is only open to people of the organisations listed.")
        )


def _use_constraint() -> bool:
    # Off only in the control test, which shows the race the constraint closes.
    return getattr(settings, "KEPU_QUIZ_ATTEMPT_CONSTRAINT", True)


def why_no_start(quiz: Quiz, attempts: list[Attempt], now: dt.datetime) -> str:
    """Why a start now would be refused for want of attempts (the message of next_slot's
    Conflict), or "" when it would not: attempts are left, or one in progress continues."""
    if any(in_progress(a, now) for a in attempts):
        return ""
    try:
        next_slot(quiz, [a.slot for a in attempts], now)
    except Conflict as exc:
        return exc.message
    return ""


def next_slot(quiz: Quiz, slots: list[str], now: dt.datetime) -> str:
    """The slot the next attempt takes, or Conflict("no_attempts_left")."""
    policy = Quiz.Attempts
    if quiz.is_practice:
        return "p" + uuid.uuid4().hex[:16]
    if quiz.attempts_policy == policy.PER_DAY:
        day = timezone.localdate(now, quiz.campaign.tz).isoformat()
        used = sum(1 for s in slots if s.startswith(day + "#"))
        if used >= quiz.max_attempts:
            raise Conflict(
                "no_attempts_left", _("You have used today's attempts. Come back tomorrow.")
            )
        slot = f"{day}#{used + 1}"
    else:
        allowed = 1 if quiz.attempts_policy == policy.ONCE else quiz.max_attempts
        used = sum(1 for s in slots if not s.startswith("p"))
        if used >= allowed:
            raise Conflict("no_attempts_left", _("You have no attempts left for this quiz."))
        slot = str(used + 1)
    if not _use_constraint():
        slot += "~" + uuid.uuid4().hex[:8]
    return slot


def _deadline(quiz: Quiz, now: dt.datetime, closes_at: dt.datetime | None = None) -> dt.datetime:
    closes_at = closes_at or quiz.closes_at
    limit = quiz.time_limit
    end = now + dt.timedelta(seconds=limit) if limit else closes_at
    return min(end, closes_at)


def start_attempt(
    quiz: Quiz,
    *,
    user: User,
    language: str = "",
    region: Region | None = None,
    organisation: Organisation | None = None,
    address: str = "",
) -> tuple[Attempt, bool]:
    """Start an attempt, or give back the person's attempt still in progress.

    A later attempt keeps the region and organisation of the person's first one.
    The quiz's status and window, and the person's attempts, are read fresh in one statement
    (the rest of the quiz may come from the process's memory, selectors.quiz_by_id); the
    attempt is one INSERT. On PostgreSQL a first attempt at an open quiz (nearly every start
    of a surge) is the INSERT alone, which checks the same in itself (_first_attempt_at_once).
    Returns (attempt, resumed). Raises Throttled (per account and per address),
    Conflict("not_open") before the window or for an unpublished quiz, Conflict("closed")
    after it, DomainError("not_eligible"), Conflict("no_attempts_left") — also to the loser
    of two starts racing for the last attempt —, Conflict("pool_too_small").
    """
    throttles = [("quiz-start", str(user.pk), *_limits("KEPU_QUIZ_START_LIMIT", START_LIMIT))]
    if address:
        limits = _limits("KEPU_QUIZ_START_ADDRESS_LIMIT", START_ADDRESS_LIMIT)
        throttles.append(("quiz-start-addr", address, *limits))
    ratelimit.hits(*throttles)
    now = timezone.now()
    if connection.vendor == "postgresql" and _use_constraint():
        attempt = _first_attempt_at_once(quiz, user, language, region, organisation, address, now)
        if attempt is not None:
            return attempt, False
    state, mine = statements.quiz_state_and_attempts(quiz.pk, user.pk)
    if state is None or state.status != Quiz.Status.PUBLISHED or now < state.opens_at:
        raise Conflict("not_open", _("This quiz is not open yet."))
    if now >= state.closes_at:
        raise Conflict("closed", _("This quiz is closed."))
    for attempt in mine:
        attempt.quiz = quiz
    if mine:
        # A person stays with the region and organisation of their first attempt: a later
        # choice neither moves them between boards nor leaves them on two at once.
        first = min(mine, key=lambda a: (a.started_at, a.pk))
        if (region.pk if region else None) != first.region_id:
            region = first.region
        if (organisation.pk if organisation else None) != first.organisation_id:
            organisation = first.organisation
    if quiz.is_restricted:
        check_eligible(quiz, region, organisation)
    for attempt in mine:
        if in_progress(attempt, now):
            return attempt, True
    for attempt in mine:
        if attempt.submitted_at is None:  # ran out of time without being submitted
            submit_attempt(attempt, user=user)
    slot = next_slot(quiz, [a.slot for a in mine], now)
    attempt = _new_attempt(
        quiz, user, slot, language, region, organisation, address, now, state.closes_at
    )
    try:
        # Inside a caller's transaction, a savepoint keeps a refused duplicate from aborting it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            sql.insert(attempt)
    except IntegrityError:
        raise _lost_the_race() from None
    return attempt, False


def _new_attempt(
    quiz: Quiz,
    user: User,
    slot: str,
    language: str,
    region: Region | None,
    organisation: Organisation | None,
    address: str,
    now: dt.datetime,
    closes_at: dt.datetime,
) -> Attempt:
    """An attempt starting ``now`` with a newly drawn paper (raises Conflict("pool_too_small")),
    its deadline computed from the quiz's closing time ``closes_at``."""
    language = paper_language(quiz, language)
    attempt = Attempt(
        quiz=quiz,
        user=user,
        slot=slot,
        language=language,
        region=region,
        organisation=organisation,
        paper=draw_paper(quiz, language),
        started_at=now,
        deadline_at=_deadline(quiz, now, closes_at),
        address=address[:64],
    )
    if quiz.is_paced:
        attempt.question_deadline_at = pacing.first_deadline(attempt)
    return attempt


def _lost_the_race() -> Conflict:
    return Conflict("no_attempts_left", _("You have already started this quiz in another window."))


def _first_attempt_at_once(
    quiz: Quiz,
    user: User,
    language: str,
    region: Region | None,
    organisation: Organisation | None,
    address: str,
    now: dt.datetime,
) -> Attempt | None:
    """The usual start of a surge, a person's first attempt at an open quiz, as one
    statement that checks the quiz's state and the person's attempts as it inserts
    (statements.insert_first_attempt) instead of reading them first. None when the start is
    anything else (a later attempt, the quiz not open or changed since this process read it,
    a refusal of any kind): ``start_attempt`` then reads and decides as it always does, with
    the same answers in the same order. Its check for an earlier attempt takes no lock: a
    start committed while it runs is stopped by the unique slot (IntegrityError), so it is
    used only where that constraint is (everywhere but the control test)."""
    if not quiz.opens_at <= now < quiz.closes_at:
        return None
    try:
        if quiz.is_restricted:
            check_eligible(quiz, region, organisation)
        attempt = _new_attempt(
            quiz, user, next_slot(quiz, [], now), language, region, organisation, address, now,
            quiz.closes_at,
        )  # fmt: skip
    except DomainError:  # Conflict too: the reading path gives the refusal in its order
        return None
    try:
        inserted = statements.insert_first_attempt(attempt, now=now, closes_at=quiz.closes_at)
    except IntegrityError:
        raise _lost_the_race() from None
    return attempt if inserted else None


# --- Answers ------------------------------------------------------------------------------------


def clean_answers(attempt: Attempt, answers: dict) -> dict[str, list[str]]:
    """The answers as {"<question id>": [option ids]}, checked against the paper.

    Raises DomainError("not_in_paper") for a question that is not in this attempt's paper,
    DomainError("unknown_option") for an option id that is not one of the question's, and
    DomainError("one_option") for several options on a single-choice question.
    """
    paper = {str(item[0]): item for item in attempt.paper}
    cleaned: dict[str, list[str]] = {}
    if not isinstance(answers, dict):
        raise DomainError("invalid", _("Send the answers as question id → option ids."))
    for qid, chosen in answers.items():
        item = paper.get(str(qid))
        if item is None:
            raise DomainError("not_in_paper", _("This question is not in your paper."))
        if isinstance(chosen, str):
            chosen = [chosen] if chosen else []
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise DomainError("invalid", _("Send the answers as question id → option ids."))
        chosen = list(dict.fromkeys(chosen))
        if any(c not in item[1] for c in chosen):
            raise DomainError("unknown_option", _("This answer is not one of the options."))
        if len(chosen) > 1 and not item[2]:
            raise DomainError("one_option", _("Choose only one answer for this question."))
        cleaned[str(item[0])] = chosen
    return cleaned


def _locked(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().get(pk=attempt.pk)


def _check_time(attempt: Attempt, now: dt.datetime, ends: dt.datetime | None = None) -> None:
    """Conflict unless the attempt takes answers at ``now``: ``ends``, when given, is when its
    time is up (``pacing.ends_at``; its deadline otherwise)."""
    if attempt.submitted_at is not None:
        raise Conflict("submitted", _("This attempt has been submitted already."))
    if now > (ends or attempt.deadline_at) + grace():
        raise Conflict("time_up", _("Time is up: answers can no longer be changed."))


def save_answers(
    attempt: Attempt, *, user: User, answers: dict, finished: int | None = None
) -> Attempt:
    """Save some answers of an attempt in progress; answers saved before are kept, an empty
    list clears one. In a paced quiz, ``finished`` (a question id) says the person is done
    with the question shown: the next one opens (``_save_paced``).

    One statement and no row lock: an UPDATE that merges the answers into the row's own
    (``||`` on PostgreSQL, json_patch on SQLite) only while the attempt is not submitted and
    its deadline plus the grace has not passed, so that two saves never lose each other's
    answers and a save can never follow a submission. Raises Forbidden when the attempt is
    someone else's, Throttled, the errors of ``clean_answers``, Conflict("submitted"),
    Conflict("time_up"). Nothing changes on error.
    """
    if attempt.user_id != user.pk:
        raise Forbidden("forbidden", _("This is not your attempt."))
    limit, window = _limits("KEPU_QUIZ_SAVE_LIMIT", SAVE_LIMIT)
    ratelimit.hit("quiz-save", str(user.pk), limit=limit, window=window)
    cleaned = clean_answers(attempt, answers)
    now = timezone.now()
    if attempt.quiz.is_paced:
        return _save_paced(attempt, cleaned, finished, now)
    merged = statements.merge_answers(attempt.pk, cleaned, now=now, since=now - grace())
    if merged is None:
        # Not merged: say why, from the row as it is now.
        current = Attempt.objects.only("submitted_at", "deadline_at").get(pk=attempt.pk)
        _check_time(current, now)
        with transaction.atomic():  # neither submitted nor late a moment later: decide locked
            current = _locked(attempt)
            _check_time(current, now)
            merged = {**current.answers, **cleaned}
            Attempt.objects.filter(pk=current.pk).update(answers=merged, saved_at=now)
    attempt.answers, attempt.saved_at = merged, now
    return attempt


def _paper_index(attempt: Attempt) -> dict[str, int]:
    return {str(item[0]): n for n, item in enumerate(attempt.paper)}


def _save_paced(attempt: Attempt, cleaned: dict, finished: int | None, now: dt.datetime):
    """Save answers of a paced attempt: only for a question whose time is running (or ran out
    less than the grace ago), and write where the attempt stands (``pacing.moved_on``).

    One conditional UPDATE of the row as read (its answers, question and deadline unchanged);
    when another save came in between, the row is locked, read again and the save decided
    on it. Raises, besides the errors of ``save_answers``, Conflict("question_closed") for an
    earlier question whose time is up and DomainError("not_current") for a later one not yet
    shown; nothing changes then.
    """
    index_of = _paper_index(attempt)
    done = None if finished is None else index_of.get(str(finished))
    if finished is not None and done is None:
        raise DomainError("not_in_paper", _("This question is not in your paper."))

    def write(current: Attempt) -> tuple[bool, dict, pacing.Position]:
        _check_time(current, now, pacing.ends_at(current))
        here = pacing.position(current, now).index
        takes = pacing.answerable(current, now, grace())
        answered = {index_of[qid] for qid in cleaned}
        if any(index < here for index in answered - takes):
            raise Conflict(
                "question_closed",
                _("The time for this question is up: its answer can no longer be changed."),
            )
        if answered - takes or (done is not None and done > here):
            raise DomainError(
                "not_current", _("Answer the question shown now: the next one opens after it.")
            )
        moved = pacing.moved_on(current, now, done)
        merged = {**current.answers, **cleaned}
        values = {"answers": merged, "saved_at": now, "current_index": moved.index,
                  "question_deadline_at": moved.deadline}  # fmt: skip
        return statements.write_paced(current, values), merged, moved

    written, merged, moved = write(attempt)
    if not written:
        with transaction.atomic():  # another save came in between: decide on the row locked
            current = _locked(attempt)
            current.quiz = attempt.quiz
            written, merged, moved = write(current)
    attempt.answers, attempt.saved_at = merged, now
    attempt.current_index, attempt.question_deadline_at = moved.index, moved.deadline
    return attempt


def _in_time(attempt: Attempt, cleaned: dict, now: dt.datetime) -> dict:
    """The answers sent with a submission that still count: in a paced quiz, those of the
    questions ``pacing.answerable`` at ``now``; the others are let go, as late answers are."""
    if not cleaned or not attempt.quiz.is_paced:
        return cleaned
    takes, index_of = pacing.answerable(attempt, now, grace()), _paper_index(attempt)
    return {qid: chosen for qid, chosen in cleaned.items() if index_of[qid] in takes}


# --- Scoring ------------------------------------------------------------------------------------


# Questions in papers are locked (an edit writes a new question), so their keys can stay in
# this process's memory.
_KEYS: dict[int, tuple[str, ...]] = {}
_KEYS_MAX = 50_000


def answer_keys(question_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The correct option ids of each question (one query for those not yet in memory)."""
    keys = {qid: _KEYS[qid] for qid in question_ids if qid in _KEYS}
    missing = [qid for qid in question_ids if qid not in keys]
    if missing:
        if len(_KEYS) > _KEYS_MAX:
            _KEYS.clear()
        rows = Question.objects.filter(pk__in=missing).values_list("pk", "correct", "is_locked")
        for pk, correct, locked in rows:
            keys[pk] = tuple(sorted(correct))
            if locked:
                _KEYS[pk] = keys[pk]
    return keys


def score_answers(paper: list, answers: dict, keys: dict[int, tuple]) -> tuple[int, int, str]:
    """(correct answers, score out of 100, fingerprint of the answers given)."""
    correct = 0
    for qid, _options, _multiple in paper:
        given = tuple(sorted(answers.get(str(qid)) or []))
        if given and given == keys.get(int(qid)):
            correct += 1
    total = len(paper) or 1
    score = round(100 * correct / total)
    given_all = {str(q): sorted(answers.get(str(q)) or []) for q, _o, _m in paper}
    fingerprint = hashlib.sha256(json.dumps(given_all, sort_keys=True).encode("utf-8")).hexdigest()
    return correct, score, fingerprint


def submit_attempt(
    attempt: Attempt, *, user: User, answers: dict | None = None
) -> tuple[Attempt, bool, int | None]:
    """Submit an attempt, with its last answers if given, and score it on the server's clock.

    The same submission twice is scored once: the second call changes nothing and answers
    (attempt, True, rank). After the deadline plus the grace the answers sent are ignored
    and the attempt is scored as it stood at the deadline (``late``). Returns (attempt,
    replayed, overall rank or None). Raises Forbidden for someone else's attempt and the
    errors of ``clean_answers`` (before the deadline only).

    Scored without a row lock from the attempt as read: the UPDATE that records the score
    applies only while the attempt is unsubmitted and its answers are those read (``saved_at``
    unchanged), and the person's best row is written by the same statement on PostgreSQL
    (by a second one in the same transaction elsewhere). When that condition fails — a save
    or a submission came in between — the attempt is locked, read again and scored as before.
    """
    if attempt.user_id != user.pk:
        raise Forbidden("forbidden", _("This is not your attempt."))
    now = timezone.now()
    in_time = not time_is_up(attempt, now)
    cleaned = clean_answers(attempt, answers) if answers and in_time else {}
    quiz = attempt.quiz
    if attempt.submitted_at is not None:  # a submission is final: no lock needed to see it
        return attempt, True, _rank(attempt)
    read_saved_at = attempt.saved_at
    counted = _in_time(attempt, cleaned, now)
    _score(attempt, {**attempt.answers, **counted} if in_time else attempt.answers, now, in_time)
    best = None if quiz.is_practice else _best_row(quiz, attempt)
    done, changed = statements.record_submission(attempt, best, saved_at=read_saved_at)
    if not done:
        return _submit_locked(attempt, cleaned, now, in_time)
    rank = leaderboard.record(best) if changed else None
    if rank is None and not quiz.is_practice:
        rank = leaderboard.rank_of(quiz, user.pk)
    return attempt, False, rank


def _score(attempt: Attempt, merged: dict, now: dt.datetime, in_time: bool) -> None:
    """Score ``attempt`` with ``merged`` answers, submitted ``now`` (on the instance only)."""
    end = min(now, pacing.ends_at(attempt))
    keys = answer_keys(attempt.question_ids())
    correct, score, fingerprint = score_answers(attempt.paper, merged, keys)
    attempt.answers = merged
    attempt.submitted_at = now
    attempt.late = not in_time
    attempt.correct_count, attempt.score, attempt.fingerprint = correct, score, fingerprint
    attempt.duration_ms = max(int((end - attempt.started_at).total_seconds() * 1000), 0)


def _submit_locked(
    attempt: Attempt, cleaned: dict, now: dt.datetime, in_time: bool
) -> tuple[Attempt, bool, int | None]:
    """Submit under the attempt's row lock (when the optimistic UPDATE found the row changed)."""
    quiz = attempt.quiz
    with transaction.atomic():
        current = _locked(attempt)
        current.quiz = quiz
        if current.submitted_at is not None:
            return current, True, _rank(current)
        in_time = in_time and not time_is_up(current, now)  # a paced row may have moved on
        counted = _in_time(current, cleaned, now)
        _score(current, {**current.answers, **counted} if in_time else current.answers, now,
               in_time)  # fmt: skip
        Attempt.objects.filter(pk=current.pk).update(
            answers=current.answers,
            submitted_at=now,
            late=current.late,
            correct_count=current.correct_count,
            score=current.score,
            duration_ms=current.duration_ms,
            fingerprint=current.fingerprint,
        )
        best = None if quiz.is_practice else _best_row(quiz, current)
        changed = best is not None and statements.keep_best(best)
    rank = leaderboard.record(best) if changed else None
    if rank is None and not quiz.is_practice:
        rank = leaderboard.rank_of(quiz, current.user_id)
    return current, False, rank


def _best_row(quiz: Quiz, attempt: Attempt) -> Best:
    """The leaderboard row ``attempt`` makes (kept only if it beats the person's row)."""
    seconds = int((attempt.submitted_at - quiz.opens_at).total_seconds())
    key = leaderboard.sort_key(
        score=attempt.score, duration_ms=attempt.duration_ms, submitted_seconds=seconds
    )
    return Best(
        quiz_id=quiz.pk,
        user_id=attempt.user_id,
        attempt_id=attempt.pk,
        score=attempt.score,
        duration_ms=attempt.duration_ms,
        submitted_at=attempt.submitted_at,
        sort_key=key,
        region_id=attempt.region_id,
        organisation_id=attempt.organisation_id,
    )


def _rank(attempt: Attempt) -> int | None:
    if attempt.quiz.is_practice:
        return None
    return leaderboard.rank_of(attempt.quiz, attempt.user_id)
