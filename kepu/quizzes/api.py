"""The quiz API: public taking under /api/v1/quizzes and /api/v1/quiz-attempts, staff reads
under /api/v1/staff. Thin: parse, fetch, call one service, return.

The paper never carries the correct answers; the result carries them (with explanations) only
after submitting and only when the quiz shows them. Start, save and submit build their JSON
directly (the surge path: validating a schema against the objects costs more CPU than the
database work); the tests hold them equal to their schemas.
"""

import datetime as dt
import json
import uuid
from typing import Annotated

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder, codes_4xx

from kepu.api.auth import Alongside, TokenAuth, token_auth
from kepu.api.errors import ErrorOut
from kepu.core import sql
from kepu.core.errors import DomainError
from kepu.core.ratelimit import client_address
from kepu.organisations.models import Organisation, Region

from . import pacing, selectors, taking
from .models import Attempt, Quiz

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

router = Router(tags=["quizzes"])
staff_router = Router(tags=["staff"], auth=token_auth)


# --- Schemas ------------------------------------------------------------------------------------


class QuizOut(Schema):
    id: int
    title: str
    rules: str
    campaign: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    question_count: int
    time_limit_seconds: int | None
    seconds_per_question: int | None
    paced: bool = Field(
        ..., description="One question at a time, each with its own time limit; no going back."
    )
    attempts_policy: str
    max_attempts: int
    pass_mark: int
    is_practice: bool
    prize_threshold: int | None
    languages: list[str]


class OptionOut(Schema):
    id: str
    label: str
    text: str


class QuestionOut(Schema):
    id: int
    number: int
    stem: str
    multiple: bool
    options: list[OptionOut]


class CurrentOut(QuestionOut):
    """A paced attempt's question shown now, and the seconds left for it."""

    seconds_left: int


class AttemptOut(Schema):
    """An attempt in progress: the paper (never the answers' key), the answers saved, the time
    left on the server's clock. A paced attempt lists only the question shown now."""

    id: uuid.UUID
    quiz_id: int
    resumed: bool
    submitted: bool
    started_at: dt.datetime
    deadline_at: dt.datetime = Field(..., description="When the attempt's time is up.")
    seconds_left: int
    paced: bool
    current: CurrentOut | None = Field(
        ..., description="Paced quizzes: the question shown now; null once none is left."
    )
    questions: list[QuestionOut]
    answers: dict[str, list[str]]


class AnswersIn(Schema):
    answers: dict[str, list[str]] = Field(
        ..., description="Question id → chosen option ids; an empty list clears an answer."
    )
    finished: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="Paced quizzes: the id of the question shown, when the person is done with "
        "it; the next question opens now.",
    )


class SubmitIn(Schema):
    answers: dict[str, list[str]] = Field(default_factory=dict)


class StartIn(Schema):
    region: str = Field("", max_length=20, description="Region code.")
    organisation: int | None = Field(None, ge=1, le=2**63 - 1)


class SavedOut(Schema):
    saved: bool
    answered: int
    seconds_left: int
    current: CurrentOut | None = Field(
        ...,
        description="Paced quizzes: the question shown now, with its text and options (after "
        "Next, the next question: no other request needed); null once none is left.",
    )


class ReviewOut(Schema):
    id: int
    stem: str
    chosen: list[str]
    correct: list[str]
    is_right: bool
    explanation: str


class ResultOut(Schema):
    id: uuid.UUID
    quiz_id: int
    replayed: bool
    score: int
    correct_count: int
    question_count: int
    passed: bool
    late: bool
    duration_ms: int
    rank: int | None
    prize_chance: bool
    review: list[ReviewOut] | None


class LeaderRowOut(Schema):
    rank: int
    name: str
    score: int
    duration_ms: int
    region: str
    organisation: str


class LeaderboardOut(Schema):
    scope: str
    items: list[LeaderRowOut]


class LeaderboardFilters(Schema):
    scope: str = Field("all", pattern="^(all|region|organisation)$")
    id: int | None = Field(None, ge=1, le=2**63 - 1)
    page: int = Field(1, ge=1, le=1000)


class WinnerOut(Schema):
    entry: int
    name: str
    phone: str


class DrawOut(Schema):
    commitment: str
    committed_at: dt.datetime
    winners_count: int
    drawn_at: dt.datetime | None
    seed: str | None
    entries: list[int] | None
    winners: list[WinnerOut] | None


class StaffQuizOut(Schema):
    id: int
    title: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    participants: int


class CountOut(Schema):
    name: str
    attempts: int
    people: int


class StatisticsOut(Schema):
    attempts: int
    people: int
    submitted: int
    passed: int
    by_region: list[CountOut]
    by_day: list[CountOut]


# --- Building answers ---------------------------------------------------------------------------


def _json(data: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def quiz_data(quiz: Quiz) -> dict:
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "rules": quiz.rules,
        "campaign": quiz.campaign.slug,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "is_open": quiz.is_open(),
        "question_count": quiz.question_count,
        "time_limit_seconds": quiz.time_limit,
        "seconds_per_question": quiz.seconds_per_question,
        "paced": quiz.is_paced,
        "attempts_policy": quiz.attempts_policy,
        "max_attempts": quiz.max_attempts,
        "pass_mark": quiz.pass_mark,
        "is_practice": quiz.is_practice,
        "prize_threshold": quiz.prize_threshold if quiz.has_prizes else None,
        "languages": list(quiz.languages),
    }


def questions_data(attempt: Attempt) -> list[dict]:
    """QuestionOut of every question of the attempt's paper, in its order, without the key."""
    texts = selectors.question_texts(attempt.question_ids())
    letters = selectors.LETTERS
    questions = []
    for number, (qid, option_ids, multiple) in enumerate(attempt.paper, start=1):
        text = texts.get(int(qid)) or selectors.NO_TEXT
        shown = text["options"]
        questions.append(
            {
                "id": int(qid),
                "number": number,
                "stem": text["stem"],
                "multiple": bool(multiple),
                "options": [
                    {"id": oid, "label": letters[i], "text": shown.get(oid, "")}
                    for i, oid in enumerate(option_ids)
                ],
            }
        )
    return questions


def attempt_data(attempt: Attempt, *, resumed: bool = False) -> dict:
    """AttemptOut of an attempt; the questions without their key (in a paced quiz only the
    one shown now)."""
    questions = questions_data(attempt)
    now = timezone.now()
    current = selectors.current_question(attempt, questions, now)
    if current is not None:  # paced: the question shown now, and none of those after it
        questions = [current.question] if current.question else []
    return {
        "id": attempt.public_id,
        "quiz_id": attempt.quiz_id,
        "resumed": resumed,
        "submitted": attempt.is_submitted,
        "started_at": attempt.started_at,
        "deadline_at": pacing.ends_at(attempt),
        "seconds_left": selectors.seconds_left(attempt, now),
        "paced": current is not None,
        "current": current_data(current),
        "questions": questions,
        "answers": {k: list(v) for k, v in attempt.answers.items()},
    }


def current_data(current: "selectors.Current | None") -> dict | None:
    """CurrentOut of a paced attempt's question shown now, found among question dicts (None:
    not paced, or none left)."""
    if current is None or current.question is None:
        return None
    return {**current.question, "seconds_left": current.seconds_left}


def review_data(attempt: Attempt) -> list[dict]:
    """ReviewOut of every question of a submitted attempt, in its paper's order. Only for
    ``selectors.may_reveal``."""
    texts = selectors.question_texts(attempt.question_ids())
    answers = attempt.answers
    review = []
    for qid, option_ids, _multiple in attempt.paper:
        text = texts.get(int(qid)) or selectors.NO_TEXT
        chosen = set(answers.get(str(qid)) or [])
        correct = list(text["correct"])
        review.append(
            {
                "id": int(qid),
                "stem": text["stem"],
                "chosen": [oid for oid in option_ids if oid in chosen],
                "correct": correct,
                "is_right": bool(chosen) and sorted(chosen) == sorted(correct),
                "explanation": text.get("explanation", ""),
            }
        )
    return review


def result_data(attempt: Attempt, *, replayed: bool, rank: int | None) -> dict:
    quiz = attempt.quiz
    score = attempt.score or 0
    return {
        "id": attempt.public_id,
        "quiz_id": attempt.quiz_id,
        "replayed": replayed,
        "score": score,
        "correct_count": attempt.correct_count or 0,
        "question_count": len(attempt.paper),
        "passed": score >= quiz.pass_mark,
        "late": attempt.late,
        "duration_ms": attempt.duration_ms or 0,
        "rank": rank,
        "prize_chance": quiz.has_prizes and score >= quiz.prize_threshold,
        "review": review_data(attempt) if selectors.may_reveal(attempt) else None,
    }


def _attempt_params(request) -> list | None:
    """The path's attempt id as the database takes it, or None when it is not one."""
    match = request.resolver_match
    try:
        return [selectors.public_id_value(uuid.UUID(str(match.kwargs["attempt_id"])))]
    except (AttributeError, KeyError, ValueError, TypeError):
        return None


def _attempt_join() -> str:
    person = sql.column(Attempt._meta.get_field("user").related_model, "id", "u")
    return f"LEFT JOIN {sql.table(Attempt)} a ON {selectors.attempt_key(person)}"


# The attempt endpoints read the person's attempt in the statement that reads their token: a
# participant's save and submit cost one statement fewer (the surge path).
attempt_auth = TokenAuth(
    Alongside(
        select=selectors.attempt_columns,
        join=_attempt_join,
        width=selectors.ATTEMPT_WIDTH,
        params=_attempt_params,
    )
)


def _own_attempt(request, attempt_id: uuid.UUID) -> Attempt:
    """The person's own attempt: read with the token (attempt_auth), or now."""
    if not hasattr(request, "alongside"):
        return selectors.own_attempt_or_404(request.auth, attempt_id)
    attempt = selectors.attempt_of(request.alongside)
    if attempt is None:
        raise Http404
    return attempt


# --- Public -------------------------------------------------------------------------------------


@router.get(
    "/quizzes/{quiz_id}", response={200: QuizOut, codes_4xx: ErrorOut}, summary="A public quiz"
)
def get_quiz(request, quiz_id: Id):
    return quiz_data(selectors.public_quiz_or_404(quiz_id))


def _start_choices(quiz: Quiz, payload: StartIn) -> tuple[Region | None, Organisation | None]:
    region = organisation = None
    if payload.region:
        region = selectors.region_choices(quiz).filter(code=payload.region).first()
        if region is None:
            raise DomainError("invalid", _("Choose a region from the list."))
    if payload.organisation:
        organisation = selectors.organisation_choices(quiz).filter(pk=payload.organisation).first()
        if organisation is None:
            raise DomainError("invalid", _("Choose an organisation from the list."))
    return region, organisation


@router.post(
    "/quizzes/{quiz_id}/attempts",
    auth=token_auth,
    response={200: AttemptOut, 201: AttemptOut, codes_4xx: ErrorOut},
    summary="Start an attempt",
)
def start_attempt(request, quiz_id: Id, payload: StartIn):
    """Start an attempt (201) with a randomised paper, or get back the one in progress (200,
    ``resumed``)."""
    quiz = selectors.public_quiz_or_404(quiz_id)
    region, organisation = (
        _start_choices(quiz, payload) if payload.region or payload.organisation else (None, None)
    )
    attempt, resumed = taking.start_attempt(
        quiz,
        user=request.auth,
        language=get_language(),
        region=region,
        organisation=organisation,
        address=client_address(request),
    )
    return _json(attempt_data(attempt, resumed=resumed), status=200 if resumed else 201)


@router.get(
    "/quiz-attempts/{attempt_id}",
    auth=attempt_auth,
    response={200: AttemptOut, codes_4xx: ErrorOut},
    summary="My attempt: its paper, the answers saved and the time left",
)
def get_attempt(request, attempt_id: uuid.UUID):
    return _json(attempt_data(_own_attempt(request, attempt_id)))


@router.put(
    "/quiz-attempts/{attempt_id}/answers",
    auth=attempt_auth,
    response={200: SavedOut, codes_4xx: ErrorOut},
    summary="Save answers",
)
def save_answers(request, attempt_id: uuid.UUID, payload: AnswersIn):
    """Save some or all answers (one row update); answers saved before are kept. In a paced
    quiz only the question shown takes answers, and ``finished`` moves on to the next."""
    attempt = taking.save_answers(
        _own_attempt(request, attempt_id),
        user=request.auth,
        answers=payload.answers,
        finished=payload.finished,
    )
    now = timezone.now()
    current = None
    if attempt.quiz.is_paced:  # the question shown now, so that the next needs no request
        current = current_data(selectors.current_question(attempt, questions_data(attempt), now))
    return _json(
        {
            "saved": True,
            "answered": sum(1 for v in attempt.answers.values() if v),
            "seconds_left": selectors.seconds_left(attempt, now),
            "current": current,
        }
    )


@router.post(
    "/quiz-attempts/{attempt_id}/submit",
    auth=attempt_auth,
    response={200: ResultOut, codes_4xx: ErrorOut},
    summary="Submit an attempt",
)
def submit_attempt(request, attempt_id: uuid.UUID, payload: SubmitIn):
    """Submit (with the last answers, if any) and get the result. Sending it again changes
    nothing and answers the same result with ``replayed``."""
    attempt, replayed, rank = taking.submit_attempt(
        _own_attempt(request, attempt_id), user=request.auth, answers=payload.answers
    )
    return _json(result_data(attempt, replayed=replayed, rank=rank))


@router.get(
    "/quiz-attempts/{attempt_id}/result",
    auth=attempt_auth,
    response={200: ResultOut, codes_4xx: ErrorOut},
    summary="The result of a submitted attempt",
)
def get_result(request, attempt_id: uuid.UUID):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        if not taking.time_is_up(attempt):
            raise DomainError("not_submitted", _("This attempt has not been submitted yet."))
        attempt, _replayed, _rank = taking.submit_attempt(attempt, user=request.auth)
    rank = (
        None
        if attempt.quiz.is_practice
        else selectors.leaderboard.rank_of(attempt.quiz, attempt.user_id)
    )
    return _json(result_data(attempt, replayed=True, rank=rank))


@router.get(
    "/quizzes/{quiz_id}/leaderboard",
    response={200: LeaderboardOut, codes_4xx: ErrorOut},
    summary="A leaderboard: overall, of a region or of an organisation (names masked)",
)
def get_leaderboard(request, quiz_id: Id, filters: Query[LeaderboardFilters]):
    quiz = selectors.public_quiz_or_404(quiz_id)
    scope = filters.scope if filters.id else "all"
    rows, _source = selectors.leaderboard_rows(
        quiz, scope=scope, ident=filters.id, limit=50, offset=(filters.page - 1) * 50
    )
    return {"scope": scope, "items": [row.__dict__ for row in rows]}


@router.get(
    "/quizzes/{quiz_id}/draw",
    response={200: DrawOut, codes_4xx: ErrorOut},
    summary="The prize draw: commitment, then seed, entries and winners",
)
def get_draw(request, quiz_id: Id):
    quiz = selectors.public_quiz_or_404(quiz_id)
    prize_draw = selectors.prize_draw_of(quiz)
    if prize_draw is None:
        raise Http404
    drawn = prize_draw.is_drawn
    return {
        "commitment": prize_draw.commitment,
        "committed_at": prize_draw.committed_at,
        "winners_count": prize_draw.winners_count,
        "drawn_at": prize_draw.drawn_at,
        "seed": prize_draw.seed if drawn else None,
        "entries": prize_draw.entries if drawn else None,
        "winners": [w.__dict__ for w in selectors.winners(prize_draw)] if drawn else None,
    }


# --- Staff --------------------------------------------------------------------------------------


@staff_router.get(
    "/campaigns/{campaign_id}/quizzes",
    response={200: list[StaffQuizOut], codes_4xx: ErrorOut},
    summary="Quizzes of a campaign",
)
def staff_list_quizzes(request, campaign_id: Id):
    campaign = selectors.managed_campaign_or_404(request.auth, campaign_id)
    return list(selectors.quizzes_of(request.auth, campaign))


@staff_router.get(
    "/quizzes/{quiz_id}/statistics",
    response={200: StatisticsOut, codes_4xx: ErrorOut},
    summary="Participation in a quiz, by region and by day",
)
def staff_quiz_statistics(request, quiz_id: Id):
    quiz = selectors.managed_quiz_or_404(request.auth, quiz_id)
    stats = selectors.participation(quiz)
    return {
        "attempts": stats.attempts,
        "people": stats.people,
        "submitted": stats.submitted,
        "passed": stats.passed,
        "by_region": [{"name": n, "attempts": a, "people": p} for n, a, p in stats.by_region],
        "by_day": [{"name": d.isoformat(), "attempts": a, "people": p} for d, a, p in stats.by_day],
    }
