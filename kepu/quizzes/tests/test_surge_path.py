"""The surge path's shortcuts keep every rule: the quiz kept in process memory, answers merged
by one statement, the score recorded by a conditional UPDATE (with the best row in the same
statement on PostgreSQL) and the locked path it falls back to, answers built without schemas."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from kepu.accounts.models import ApiToken
from kepu.core.errors import Conflict, DomainError
from kepu.quizzes import api as quiz_api
from kepu.quizzes import selectors, services, statements, taking
from kepu.quizzes.models import Attempt, Best, Quiz

from .helpers import bank, open_quiz, right_answers


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=12)
    return open_quiz(tree, campaign)


def _stale_copy(attempt) -> Attempt:
    """The attempt as a request read it, before something else changed the row."""
    return Attempt.objects.get(pk=attempt.pk)


# --- the quiz kept in memory -------------------------------------------------------------------


def test_each_caller_gets_its_own_copy_of_the_quiz_kept_in_memory(quiz, django_assert_num_queries):
    first = selectors.public_quiz_or_404(quiz.pk)
    with django_assert_num_queries(0):
        second = selectors.public_quiz_or_404(quiz.pk)
        assert not second.is_restricted and second.campaign.slug
    first.leaderboard_stale = True
    assert second.leaderboard_stale is False and first is not second


def test_a_quiz_changed_through_a_service_is_read_again_at_once(tree, quiz):
    assert selectors.public_quiz_or_404(quiz.pk).title == quiz.title
    services.edit_quiz(quiz, actor=tree.admin, title="第二轮竞答", regions=[tree.regions.zhongwei])
    again = selectors.public_quiz_or_404(quiz.pk)
    assert again.title == "第二轮竞答" and again.is_restricted


def test_a_change_made_behind_the_services_back_is_seen_after_the_quiz_seconds(quiz, settings):
    selectors.public_quiz_or_404(quiz.pk)
    Quiz.objects.filter(pk=quiz.pk).update(title="改过")  # no signal
    assert selectors.public_quiz_or_404(quiz.pk).title != "改过"
    settings.KEPU_QUIZ_CACHE_SECONDS = 0
    selectors.forget_quiz()
    selectors.public_quiz_or_404(quiz.pk)
    Quiz.objects.filter(pk=quiz.pk).update(title="又改过")
    assert selectors.public_quiz_or_404(quiz.pk).title == "又改过"


def test_a_start_goes_by_the_window_in_the_database_not_the_one_in_memory(tree, quiz):
    kept = selectors.public_quiz_or_404(quiz.pk)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(kept, user=tree.public)
    assert exc.value.code == "closed" and not Attempt.objects.exists()


def test_a_start_goes_by_the_status_in_the_database_not_the_one_in_memory(tree, quiz):
    kept = selectors.public_quiz_or_404(quiz.pk)
    Quiz.objects.filter(pk=quiz.pk).update(status=Quiz.Status.DRAFT)  # no signal
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(kept, user=tree.public)
    assert exc.value.code == "not_open" and not Attempt.objects.exists()


def test_a_moved_closing_time_gives_the_deadline_of_the_database(tree, campaign):
    """Without a time limit an attempt lasts until the quiz closes: the closing time in the
    database, when another process has moved it, not the one this process still keeps."""
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, time_limit_seconds=None)
    kept = selectors.public_quiz_or_404(quiz.pk)
    later = quiz.closes_at + dt.timedelta(days=3)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=later)
    attempt, resumed = taking.start_attempt(kept, user=tree.public)
    assert not resumed and attempt.deadline_at == later
    assert Attempt.objects.get(pk=attempt.pk).deadline_at == later


def test_a_first_start_is_one_statement_on_postgresql(tree, quiz):
    """The usual start of a surge: the INSERT checks the quiz's state and the person's
    attempts itself (SQLite reads them first: two statements). The test's own transaction
    adds a savepoint around it, which a request does not have."""
    kept = selectors.public_quiz_or_404(quiz.pk)
    with CaptureQueriesContext(connection) as done:
        attempt, resumed = taking.start_attempt(kept, user=tree.public, address="10.0.0.1")
    statements_run = [q["sql"] for q in done if "SAVEPOINT" not in q["sql"]]
    assert len(statements_run) == (1 if connection.vendor == "postgresql" else 2)
    assert statements_run[-1].startswith(("WITH", "INSERT"))
    stored = Attempt.objects.get(pk=attempt.pk)
    assert not resumed and stored.user == tree.public and stored.slot == "1"
    assert stored.paper == attempt.paper and len(stored.paper) == quiz.question_count
    assert stored.public_id == attempt.public_id and stored.address == "10.0.0.1"
    assert stored.deadline_at == attempt.started_at + dt.timedelta(seconds=600)
    again, resumed = taking.start_attempt(kept, user=tree.public)
    assert resumed and again.pk == attempt.pk and Attempt.objects.count() == 1


def test_a_first_start_outside_the_quizs_regions_is_refused_and_writes_nothing(tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, regions=[tree.regions.zhongwei])
    kept = selectors.public_quiz_or_404(quiz.pk)
    assert kept.is_restricted
    with pytest.raises(DomainError) as exc:
        taking.start_attempt(kept, user=tree.public)
    assert exc.value.code == "not_eligible" and not Attempt.objects.exists()
    attempt, _ = taking.start_attempt(kept, user=tree.public, region=tree.regions.zhongwei)
    assert Attempt.objects.get().region == tree.regions.zhongwei == attempt.region


def test_the_own_attempt_is_one_statement_with_the_leaderboard_flag_read_fresh(
    tree, quiz, django_assert_num_queries
):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    selectors.own_attempt_or_404(tree.public, attempt.public_id)  # the quiz is now kept
    Quiz.objects.filter(pk=quiz.pk).update(leaderboard_stale=True)
    with django_assert_num_queries(1):
        mine = selectors.own_attempt_or_404(tree.public, attempt.public_id)
    assert mine.pk == attempt.pk and mine.paper == attempt.paper
    assert mine.quiz.leaderboard_stale is True and mine.quiz.campaign_id == quiz.campaign_id
    with pytest.raises(Exception) as exc:
        selectors.own_attempt_or_404(tree.reporter_a, attempt.public_id)
    assert type(exc.value).__name__ == "Http404"


# --- saving -------------------------------------------------------------------------------------


def test_two_saves_from_copies_read_before_either_keep_both_answers(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    one, two = _stale_copy(attempt), _stale_copy(attempt)
    (q1, o1, _m1), (q2, o2, _m2) = attempt.paper[:2]
    taking.save_answers(one, user=tree.public, answers={str(q1): [o1[0]]})
    saved = taking.save_answers(two, user=tree.public, answers={str(q2): [o2[1]]})
    expected = {str(q1): [o1[0]], str(q2): [o2[1]]}
    assert saved.answers == expected
    attempt.refresh_from_db()
    assert attempt.answers == expected and attempt.saved_at is not None


def test_a_save_from_a_copy_read_before_the_submission_is_refused(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    before = _stale_copy(attempt)
    taking.submit_attempt(attempt, user=tree.public, answers=right_answers(attempt))
    qid, options, _multiple = attempt.paper[0]
    with pytest.raises(Conflict) as exc:
        taking.save_answers(before, user=tree.public, answers={str(qid): [options[-1]]})
    assert exc.value.code == "submitted"
    attempt.refresh_from_db()
    assert attempt.answers == right_answers(attempt)


# --- submitting ---------------------------------------------------------------------------------


def test_answers_saved_after_the_attempt_was_read_are_scored_all_the_same(tree, quiz):
    """The optimistic UPDATE finds saved_at changed and the locked path scores the row as it
    is: without the check the submission would score the empty answers it read."""
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    read = _stale_copy(attempt)
    taking.save_answers(attempt, user=tree.public, answers=right_answers(attempt))
    scored, replayed, rank = taking.submit_attempt(read, user=tree.public)
    assert (scored.score, replayed, rank) == (100, False, 1)
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.submitted_at is not None
    assert Best.objects.get(quiz=quiz, user=tree.public).score == 100


def test_a_submission_from_a_copy_read_before_another_submission_is_a_replay(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    read = _stale_copy(attempt)
    first, _replayed, _rank = taking.submit_attempt(
        attempt, user=tree.public, answers=right_answers(attempt)
    )
    again, replayed, rank = taking.submit_attempt(read, user=tree.public, answers={})
    assert replayed and again.score == first.score == 100 and rank == 1
    assert Best.objects.filter(quiz=quiz).count() == 1


def test_the_best_row_is_written_only_by_a_better_attempt(tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, attempts_policy="total", max_attempts=3)

    def take(right: int):
        attempt, _ = taking.start_attempt(quiz, user=tree.public)
        keys = right_answers(attempt)
        answers = {}
        for n, (qid, options, _multiple) in enumerate(attempt.paper):
            good = keys[str(qid)]
            answers[str(qid)] = good if n < right else [o for o in options if o not in good][:1]
        return taking.submit_attempt(attempt, user=tree.public, answers=answers)[0]

    second_best = take(3)
    assert Best.objects.get(quiz=quiz, user=tree.public).attempt_id == second_best.pk
    take(1)
    assert Best.objects.get(quiz=quiz, user=tree.public).attempt_id == second_best.pk
    best = take(5)
    row = Best.objects.get(quiz=quiz, user=tree.public)
    assert (row.attempt_id, row.score) == (best.pk, 100)


def test_recording_a_submission_writes_nothing_when_the_answers_changed(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    taking._score(attempt, right_answers(attempt), timezone.now(), True)
    best = taking._best_row(quiz, attempt)
    stale = timezone.now() - dt.timedelta(minutes=1)
    assert statements.record_submission(attempt, best, saved_at=stale) == (False, False)
    assert not Best.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is None
    assert statements.record_submission(attempt, best, saved_at=None) == (True, True)
    assert Best.objects.get().attempt_id == attempt.pk and best.pk is not None
    # One statement on PostgreSQL (a data-modifying WITH), two in a transaction on SQLite.
    assert connection.vendor in ("postgresql", "sqlite")


def test_a_practice_submission_is_recorded_without_a_best_row(tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, is_practice=True, prize_threshold=None)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    scored, replayed, rank = taking.submit_attempt(
        attempt, user=tree.public, answers=right_answers(attempt)
    )
    assert (scored.score, replayed, rank) == (100, False, None)
    assert not Best.objects.exists()


# --- answers built directly ---------------------------------------------------------------------


def test_the_answers_built_directly_equal_their_schemas(client, tree, quiz):
    _token, key = ApiToken.issue(tree.public, name="test")

    def call(method, path, body):
        response = client.generic(
            method,
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code in (200, 201), response.content
        return response.json()

    def same(schema, data):
        """What the schema would answer (ninja renders its dump with NinjaJSONEncoder)."""
        dumped = schema.model_validate(data).model_dump()
        assert json.loads(json.dumps(dumped, cls=quiz_api.NinjaJSONEncoder)) == data

    started = call("POST", f"/quizzes/{quiz.pk}/attempts", {})
    same(quiz_api.AttemptOut, started)
    attempt = Attempt.objects.get(public_id=started["id"])
    answers = right_answers(attempt)
    saved = call("PUT", f"/quiz-attempts/{started['id']}/answers", {"answers": answers})
    same(quiz_api.SavedOut, saved)
    same(quiz_api.AttemptOut, call("GET", f"/quiz-attempts/{started['id']}", {}))
    result = call("POST", f"/quiz-attempts/{started['id']}/submit", {})
    same(quiz_api.ResultOut, result)
    assert result["review"] and all(item["is_right"] for item in result["review"])
    hidden = make_user("13900009999", "不看答案")
    quiz = services.edit_quiz(quiz, actor=tree.admin, show_answers=False)
    other, _ = taking.start_attempt(quiz, user=hidden)
    other, _replayed, _rank = taking.submit_attempt(other, user=hidden)
    data = json.loads(json.dumps(quiz_api.result_data(other, replayed=False, rank=None),
                                 cls=quiz_api.NinjaJSONEncoder))  # fmt: skip
    same(quiz_api.ResultOut, data)
    assert data["review"] is None
