"""Paced quizzes (每题限时): a time limit per question.

One question at a time, each with its own countdown, and no going back. The attempt keeps the
question shown (``current_index``) and the moment its time is up (``question_deadline_at``).
When that moment passes the next question opens, with its own full time, whether or not the
person was there to see it; finishing a question early opens the next one at once. So the
question deadlines form a chain: each is the previous one (or the moment it was finished) plus
the quiz's seconds per question. The row is written only when an answer is saved or a question
finished; every reader works out from it where the attempt stands at a given moment.

An answer is taken only for a question whose time is running, or ran out less than the grace
ago (an answer in flight when the countdown ended). An attempt whose last question's time has
run out is over, even before its overall deadline.

Pure functions of an attempt (with its quiz) and a moment: no database, no clock of their own.
Only ``ends_at`` is for any quiz; the others are for paced ones.
"""

import datetime as dt
from dataclasses import dataclass

from .models import Attempt


@dataclass(frozen=True)
class Position:
    index: int  # the question shown, as an index of the paper; len(paper) once none is left
    deadline: dt.datetime  # when its time is up; once none is left, when the last one's was


def step(attempt: Attempt) -> dt.timedelta:
    return dt.timedelta(seconds=attempt.quiz.seconds_per_question or 0)


def first_deadline(attempt: Attempt) -> dt.datetime:
    """The first question's deadline for an attempt starting at its ``started_at``."""
    return attempt.started_at + step(attempt)


def _stored(attempt: Attempt) -> tuple[int, dt.datetime]:
    deadline = attempt.question_deadline_at or first_deadline(attempt)
    return attempt.current_index, deadline


def position(attempt: Attempt, now: dt.datetime) -> Position:
    """Where the attempt stands at ``now``: the question shown and its deadline."""
    index, deadline = _stored(attempt)
    count, gap = len(attempt.paper), step(attempt)
    while index < count and now > deadline:
        index += 1
        if index < count:
            deadline += gap
    return Position(index, deadline)


def ends_at(attempt: Attempt) -> dt.datetime:
    """When the attempt's time is up (any quiz): its deadline, or in a paced quiz the last
    question's deadline as the chain stands when that comes first (finishing questions early
    brings it closer)."""
    if not attempt.quiz.is_paced:
        return attempt.deadline_at
    index, deadline = _stored(attempt)
    left = len(attempt.paper) - 1 - index
    last = deadline + step(attempt) * left if left > 0 else deadline
    return min(last, attempt.deadline_at)


def answerable(attempt: Attempt, now: dt.datetime, grace: dt.timedelta) -> set[int]:
    """Indexes of the questions whose answers are taken at ``now``: the one shown, and one
    whose time ran out less than ``grace`` ago."""
    index, deadline = _stored(attempt)
    count, gap = len(attempt.paper), step(attempt)
    opened = None  # when the question at ``index`` opened; the stored one is open already
    found = set()
    while index < count and (opened is None or opened < now):
        if now <= deadline + grace:
            found.add(index)
        opened, index, deadline = deadline, index + 1, deadline + gap
    return found


def moved_on(attempt: Attempt, now: dt.datetime, finished: int | None) -> Position:
    """The position to write after a save at ``now``; ``finished``: the index of the question
    the person has finished (pressed Next on), which opens the next one at once when it is
    the one shown. Finishing the last question leaves none to show."""
    here = position(attempt, now)
    if finished is None or finished != here.index or here.index >= len(attempt.paper):
        return here
    nxt = here.index + 1
    if nxt >= len(attempt.paper):
        return Position(nxt, now)
    return Position(nxt, now + step(attempt))
