"""The one-attempt rule under real concurrency: separate threads, separate connections."""

import threading

import pytest
from django.db import connection, transaction

from kepu.activities.tests.test_concurrency import run_all
from kepu.core.errors import Conflict
from kepu.quizzes import taking
from kepu.quizzes.models import Attempt

from .helpers import bank, open_quiz

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=8)
    return open_quiz(tree, campaign)


def starts(quiz, user, n=12):
    return [(lambda: taking.start_attempt(quiz, user=user)) for _ in range(n)]


def test_twelve_parallel_starts_of_a_once_quiz_make_exactly_one_attempt(quiz, tree, settings):
    settings.KEPU_QUIZ_START_LIMIT = (100, 60)
    results, errors = run_all(starts(quiz, tree.public))
    assert Attempt.objects.filter(quiz=quiz, user=tree.public).count() == 1
    # Each call either made the attempt, resumed it, or lost the race with a clear code.
    assert len(results) + len(errors) == 12
    assert set(errors) <= {"no_attempts_left"}
    assert sum(1 for _attempt, resumed in results if not resumed) == 1


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite serialises every write transaction (BEGIN IMMEDIATE), so the race cannot "
    "happen there; the control run needs PostgreSQL",
)
def test_control_without_the_unique_slot_the_race_makes_several_attempts(quiz, tree, settings):
    """The interleaving the next test makes on purpose, without the unique slot: a start that
    runs while a first attempt is inserted but not committed makes a second attempt."""
    settings.KEPU_QUIZ_ATTEMPT_CONSTRAINT = False
    settings.KEPU_QUIZ_START_LIMIT = (100, 60)
    _race_an_uncommitted_first_attempt(quiz, tree.public)
    assert Attempt.objects.filter(quiz=quiz, user=tree.public).count() == 2


def _race_an_uncommitted_first_attempt(quiz, user):
    """Start an attempt in a thread whose transaction stays open, then start again here while
    it is uncommitted. The thread commits only once this second start is waiting for a lock
    (the unique slot makes it wait for the first to commit) or has finished without waiting
    (no slot): never by a clock, so a slow machine cannot let the first commit before the
    second start has looked. Returns (first, second), the second being the Conflict raised
    instead when there is one."""
    inserted, release = threading.Event(), threading.Event()
    first: list = []

    def start_and_hold():
        try:
            with transaction.atomic():
                first.append(taking.start_attempt(quiz, user=user))
                inserted.set()
                release.wait(30)
        finally:
            inserted.set()
            connection.close()

    def release_once_a_start_waits():
        try:
            with connection.cursor() as cursor:
                while not release.is_set():
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0]:
                        release.set()
                    release.wait(0.02)
        finally:
            connection.close()

    holder = threading.Thread(target=start_and_hold)
    holder.start()
    assert inserted.wait(30) and first
    watcher = threading.Thread(target=release_once_a_start_waits)
    watcher.start()
    try:
        second = taking.start_attempt(quiz, user=user)
    except Conflict as exc:
        second = exc
    finally:
        release.set()
        holder.join(30)
        watcher.join(30)
    return first[0][0], second


@pytest.mark.skipif(not ON_POSTGRES, reason="needs a second writer while the first is open")
def test_a_start_racing_an_uncommitted_first_attempt_loses_to_the_unique_slot(quiz, tree, settings):
    """The worst interleaving, made on purpose: a first attempt is inserted but not yet
    committed when a second start runs, which therefore finds no earlier attempt. Only the
    unique slot stops it, with a clear answer, once the first commits."""
    settings.KEPU_QUIZ_START_LIMIT = (100, 60)
    first, second = _race_an_uncommitted_first_attempt(quiz, tree.public)
    assert isinstance(second, Conflict) and second.code == "no_attempts_left"
    assert list(Attempt.objects.filter(quiz=quiz, user=tree.public)) == [first]


def test_next_pressed_in_eight_windows_at_once_moves_on_one_question(tree, campaign, settings):
    """A paced attempt: every window sends Next for the question it shows (the first), each
    from the row as it read it. Exactly one moves the attempt on; the others find the row
    changed, decide on it locked and leave it where it is: no question is skipped."""
    settings.KEPU_QUIZ_SAVE_LIMIT = (100, 60)
    bank(tree, count=8)
    quiz = open_quiz(tree, campaign, time_limit_seconds=None, seconds_per_question=60)
    attempt, _resumed = taking.start_attempt(quiz, user=tree.public)
    first, options = str(attempt.paper[0][0]), attempt.paper[0][1]

    def press_next(option):
        def call():
            window = Attempt.objects.get(pk=attempt.pk)
            window.quiz = quiz
            return taking.save_answers(
                window, user=tree.public, answers={first: [option]}, finished=int(first)
            )

        return call

    results, errors = run_all([press_next(options[n % len(options)]) for n in range(8)])
    row = Attempt.objects.get(pk=attempt.pk)
    assert row.current_index == 1
    # The windows that lost found the first question closed, with nothing of theirs written.
    assert len(results) == 1 and errors == ["question_closed"] * 7
    assert row.answers == {first: results[0].answers[first]}
