"""The statements of the quiz surge path, written once (kepu.core.sql): starting an attempt, saving
answers and submitting run thousands of times a minute when a city-wide quiz opens.

Composed from the models' metadata (no table or column name spelt out); PostgreSQL prepares
them. A paced quiz's save (kepu.quizzes.pacing) is one conditional UPDATE of the row as read.
Submitting is one data-modifying WITH on PostgreSQL (the attempt's score and the person's best
row); SQLite runs the same two statements in one transaction. The suite runs on both databases,
so both paths are tested.
"""

import datetime as dt
from contextlib import nullcontext
from functools import cache

from django.db import connection, transaction

from kepu.core import sql

from .models import Attempt, Best, Quiz

# The quiz's state an attempt may start in, read fresh with the person's attempts.
_QUIZ_STATE = sql.Shape(Quiz, ["id", "status", "opens_at", "closes_at"], alias="q")
_ATTEMPT = sql.Shape(Attempt, sql.attnames(Attempt), alias="a")


def _prep(model, attname: str, value):
    """A value as ``save()`` would send it to the database."""
    return sql.prep_value(sql.field(model, attname), value)


# --- Starting -----------------------------------------------------------------------------------


@cache
def _state_and_attempts_sql() -> str:
    q, a = Quiz, Attempt
    return (
        f"SELECT {_QUIZ_STATE.select}, {_ATTEMPT.select} FROM {sql.table(q)} q "
        f"LEFT JOIN {sql.table(a)} a "
        f"ON {sql.column(a, 'quiz_id', 'a')} = {sql.column(q, 'id', 'q')} "
        f"AND {sql.column(a, 'user_id', 'a')} = %s "
        f"WHERE {sql.column(q, 'id', 'q')} = %s"
    )


def quiz_state_and_attempts(quiz_id: int, user_id: int) -> tuple[Quiz | None, list[Attempt]]:
    """The quiz's id, status, opening and closing as they are now (None for no such quiz),
    and every attempt of the person at it: one statement."""
    rows = sql.fetch_all(_state_and_attempts_sql(), [user_id, quiz_id])
    if not rows:
        return None, []
    state = _QUIZ_STATE.build(rows[0][: len(_QUIZ_STATE)])
    attempts = [_ATTEMPT.build(r[len(_QUIZ_STATE) :]) for r in rows if r[len(_QUIZ_STATE)]]
    return state, attempts


_FIRST_ATTEMPT = sql.InsertFrom(Attempt, source="open_quiz")


@cache
def _first_attempt_sql() -> str:
    q, a = Quiz, Attempt
    return (
        f"WITH open_quiz AS (SELECT 1 FROM {sql.table(q)} q "
        f"WHERE {sql.column(q, 'id', 'q')} = %s AND {sql.column(q, 'status', 'q')} = %s "
        f"AND {sql.column(q, 'opens_at', 'q')} <= %s AND {sql.column(q, 'closes_at', 'q')} > %s "
        f"AND {sql.column(q, 'closes_at', 'q')} = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {sql.table(a)} a "
        f"WHERE {sql.column(a, 'quiz_id', 'a')} = %s AND {sql.column(a, 'user_id', 'a')} = %s)) "
        f"{_FIRST_ATTEMPT.sql}"
    )


def insert_first_attempt(attempt: Attempt, *, now: dt.datetime, closes_at: dt.datetime) -> bool:
    """PostgreSQL: insert ``attempt`` as the person's first at its quiz, in one statement that
    reads fresh what the start depends on: the quiz is published, open at ``now``, still
    closes at ``closes_at`` (what the attempt's deadline was computed from) and the person
    has no attempt at it. False, with nothing written, when any of that does not hold;
    IntegrityError when a concurrent start took the slot first."""
    params = [
        attempt.quiz_id,
        Quiz.Status.PUBLISHED,
        now,
        now,
        closes_at,
        attempt.quiz_id,
        attempt.user_id,
        *_FIRST_ATTEMPT.values(attempt),
    ]
    # Inside a caller's transaction, a savepoint keeps a refused duplicate from aborting it.
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        row = sql.fetch_one(_first_attempt_sql(), params)
    if row is None:
        return False
    _FIRST_ATTEMPT.inserted(attempt, row[0])
    return True


# --- Saving answers -----------------------------------------------------------------------------


@cache
def _merge_sql() -> str:
    a = Attempt
    answers = sql.column(a, "answers")
    merged = (
        f"{answers} || %s" if connection.vendor == "postgresql" else f"json_patch({answers}, %s)"
    )
    return (
        f"UPDATE {sql.table(a)} SET {answers} = {merged}, {sql.column(a, 'saved_at')} = %s "
        f"WHERE {sql.column(a, 'id')} = %s AND {sql.column(a, 'submitted_at')} IS NULL "
        f"AND {sql.column(a, 'deadline_at')} >= %s "
        f"RETURNING {sql.column(a, 'answers')}"
    )


_ANSWERS = sql.Shape(Attempt, ["answers"])


def merge_answers(
    attempt_id: int, answers: dict, *, now: dt.datetime, since: dt.datetime
) -> dict | None:
    """Merge ``answers`` into the attempt's saved answers, if it is not submitted and its
    deadline is not before ``since``; the answers now saved, or None when it was not."""
    row = sql.fetch_one(
        _merge_sql(),
        [
            _prep(Attempt, "answers", answers),
            _prep(Attempt, "saved_at", now),
            attempt_id,
            _prep(Attempt, "deadline_at", since),
        ],
    )
    return None if row is None else _ANSWERS.build(row).answers


@cache
def _paced_sql() -> str:
    """A paced attempt's answers and position, written only while the row is as read."""
    a = Attempt
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    sets = ", ".join(f"{sql.column(a, name)} = %s" for name in _PACED)
    return (
        f"UPDATE {sql.table(a)} SET {sets} "
        f"WHERE {sql.column(a, 'id')} = %s AND {sql.column(a, 'submitted_at')} IS NULL "
        f"AND {sql.column(a, 'saved_at')} {same} %s "
        f"AND {sql.column(a, 'current_index')} = %s "
        f"AND {sql.column(a, 'question_deadline_at')} {same} %s "
        f"RETURNING {sql.column(a, 'id')}"
    )


_PACED = ["answers", "saved_at", "current_index", "question_deadline_at"]


def write_paced(as_read: Attempt, values: dict) -> bool:
    """Write ``values`` (answers, saved_at, current_index, question_deadline_at) to the paced
    attempt, provided it is unsubmitted and its saved_at, question and deadline are still
    those of ``as_read``; False, with nothing written, when they are not."""
    params = [_prep(Attempt, name, values[name]) for name in _PACED] + [
        as_read.pk,
        _prep(Attempt, "saved_at", as_read.saved_at),
        as_read.current_index,
        _prep(Attempt, "question_deadline_at", as_read.question_deadline_at),
    ]
    return sql.fetch_one(_paced_sql(), params) is not None


# --- Submitting ---------------------------------------------------------------------------------

_SCORED = ["answers", "submitted_at", "late", "correct_count", "score", "duration_ms",
           "fingerprint"]  # fmt: skip


@cache
def _score_sql() -> str:
    """The UPDATE that records the score, while the attempt is unsubmitted and its answers are
    those scored (``saved_at`` as read: every save sets it)."""
    a = Attempt
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    sets = ", ".join(f"{sql.column(a, name)} = %s" for name in _SCORED)
    return (
        f"UPDATE {sql.table(a)} SET {sets} "
        f"WHERE {sql.column(a, 'id')} = %s AND {sql.column(a, 'submitted_at')} IS NULL "
        f"AND {sql.column(a, 'saved_at')} {same} %s "
        f"RETURNING {sql.column(a, 'id')}"
    )


def _score_values(attempt: Attempt, saved_at: dt.datetime | None) -> list:
    return [_prep(Attempt, name, getattr(attempt, name)) for name in _SCORED] + [
        attempt.pk,
        _prep(Attempt, "saved_at", saved_at),
    ]


def _best_fields() -> list:
    return [f for f in Best._meta.concrete_fields if not f.primary_key]


def _keep_better() -> str:
    """ON CONFLICT: the person's row takes the new values only when its key is better."""
    b = Best
    kept = [f for f in _best_fields() if f.attname not in ("quiz_id", "user_id")]
    sets = ", ".join(f"{sql.quote(f.column)} = EXCLUDED.{sql.quote(f.column)}" for f in kept)
    return (
        f"ON CONFLICT ({sql.columns(b, ['quiz_id', 'user_id'])}) DO UPDATE SET {sets} "
        f"WHERE {sql.table(b)}.{sql.column(b, 'sort_key')} > EXCLUDED.{sql.column(b, 'sort_key')} "
        f"RETURNING {sql.column(b, 'id')}"
    )


@cache
def _keep_best_sql() -> str:
    fields = _best_fields()
    return (
        f"INSERT INTO {sql.table(Best)} ({', '.join(sql.quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) {_keep_better()}"
    )


_BEST_VALUES = sql.InsertFrom(Best)
_BEST_AFTER_SCORE = sql.InsertFrom(
    Best, source="done", computed={"attempt_id": f"done.{sql.quote(Attempt._meta.pk.column)}"}
)


@cache
def _score_and_best_sql() -> str:
    """PostgreSQL: the score and the best row in one statement. The INSERT reads from the
    UPDATE, so no best row is written when the attempt was not scored."""
    fields = _best_fields()
    select = ", ".join(
        _BEST_AFTER_SCORE.computed.get(f.attname) or f"CAST(%s AS {f.db_type(connection)})"
        for f in fields
    )
    pk = sql.quote(Attempt._meta.pk.column)
    return (
        f"WITH done AS ({_score_sql()}), "
        f"kept AS (INSERT INTO {sql.table(Best)} "
        f"({', '.join(sql.quote(f.column) for f in fields)}) SELECT {select} FROM done "
        f"{_keep_better()}) "
        f"SELECT done.{pk}, (SELECT kept.{sql.column(Best, 'id')} FROM kept) FROM done"
    )


def keep_best(best: Best) -> bool:
    """Insert the person's best row, or replace it when ``best`` is better; True (and its key
    set) when it was written."""
    row = sql.fetch_one(_keep_best_sql(), _BEST_VALUES.values(best))
    if row is None:
        return False
    _BEST_VALUES.inserted(best, row[0])
    return True


def record_submission(
    attempt: Attempt, best: Best | None, *, saved_at: dt.datetime | None
) -> tuple[bool, bool]:
    """Write the scored ``attempt`` (and ``best``, when given, if it beats the person's row),
    provided the attempt is still unsubmitted with the answers saved at ``saved_at``.

    Returns (scored, best written). Nothing is written when not scored.
    """
    values = _score_values(attempt, saved_at)
    if best is None:
        return sql.fetch_one(_score_sql(), values) is not None, False
    if connection.vendor == "postgresql":
        # Inside a caller's transaction, a savepoint keeps a failed statement from aborting it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            row = sql.fetch_one(_score_and_best_sql(), values + _BEST_AFTER_SCORE.values(best))
        if row is None:
            return False, False
        if row[1] is not None:
            _BEST_VALUES.inserted(best, row[1])
        return True, row[1] is not None
    with transaction.atomic():
        if sql.fetch_one(_score_sql(), values) is None:
            return False, False
        return True, keep_best(best)
