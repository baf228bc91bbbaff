"""Paced quizzes (a time limit per question): one question at a time with its own countdown,
no going back, the server's clock deciding which question takes answers — in the rules, the
services, the API and the taking page."""

import datetime as dt
import json

import pytest
from django.utils import timezone, translation

from conftest import make_user
from kepu.core.errors import Conflict, DomainError
from kepu.quizzes import api as quiz_api
from kepu.quizzes import pacing, services, taking
from kepu.quizzes.models import Attempt, Quiz

from .helpers import api_caller as _api
from .helpers import bank, open_quiz, right_answers

S = 20  # seconds per question
GRACE = dt.timedelta(seconds=10)
T0 = dt.datetime(2026, 5, 30, 9, 0, tzinfo=dt.UTC)


def _sec(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


# --- the rules, as pure functions ---------------------------------------------------------------


def _attempt(count=4, index=0, deadline=None, overall=None) -> Attempt:
    quiz = Quiz(seconds_per_question=S, question_count=count)
    return Attempt(
        quiz=quiz,
        paper=[[n + 1, ["a", "b"], False] for n in range(count)],
        started_at=T0,
        deadline_at=overall or T0 + _sec(S * count),
        current_index=index,
        question_deadline_at=deadline or T0 + _sec(S),
    )


def test_each_question_opens_when_the_one_before_runs_out_with_its_full_time():
    attempt = _attempt()
    assert pacing.position(attempt, T0 + _sec(5)) == pacing.Position(0, T0 + _sec(20))
    assert pacing.position(attempt, T0 + _sec(20)) == pacing.Position(0, T0 + _sec(20))
    assert pacing.position(attempt, T0 + _sec(21)) == pacing.Position(1, T0 + _sec(40))
    assert pacing.position(attempt, T0 + _sec(75)) == pacing.Position(3, T0 + _sec(80))
    # Past the last one: none left, and the moment the last one's time ran out.
    assert pacing.position(attempt, T0 + _sec(500)) == pacing.Position(4, T0 + _sec(80))
    assert pacing.ends_at(attempt) == T0 + _sec(80) == attempt.deadline_at


def test_finishing_a_question_early_opens_the_next_at_once_and_brings_the_end_closer():
    attempt = _attempt()
    moved = pacing.moved_on(attempt, T0 + _sec(5), finished=0)
    assert moved == pacing.Position(1, T0 + _sec(25))
    attempt.current_index, attempt.question_deadline_at = moved.index, moved.deadline
    assert pacing.ends_at(attempt) == T0 + _sec(65)
    # Finishing a question that is not the one shown changes nothing.
    assert pacing.moved_on(attempt, T0 + _sec(6), finished=0) == moved
    assert pacing.moved_on(attempt, T0 + _sec(6), finished=None) == moved
    # The last question finished: none left, from that moment.
    last = _attempt(index=3, deadline=T0 + _sec(30))
    assert pacing.moved_on(last, T0 + _sec(12), finished=3) == pacing.Position(4, T0 + _sec(12))
    assert pacing.ends_at(_attempt(index=4, deadline=T0 + _sec(12))) == T0 + _sec(12)


def test_only_the_question_shown_takes_answers_and_the_one_before_only_within_the_grace():
    attempt = _attempt()
    assert pacing.answerable(attempt, T0 + _sec(5), GRACE) == {0}
    assert pacing.answerable(attempt, T0 + _sec(25), GRACE) == {0, 1}  # 0 ran out 5 s ago
    assert pacing.answerable(attempt, T0 + _sec(31), GRACE) == {1}
    assert pacing.answerable(attempt, T0 + _sec(500), GRACE) == set()


def test_an_overall_limit_still_ends_a_paced_attempt_first():
    attempt = _attempt(overall=T0 + _sec(50))
    assert pacing.ends_at(attempt) == T0 + _sec(50)


# --- the services on the database ---------------------------------------------------------------


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=12)
    return open_quiz(tree, campaign, time_limit_seconds=None, seconds_per_question=S)


def _shift(attempt: Attempt, seconds: float) -> Attempt:
    """Move the attempt ``seconds`` into the past, as if that much time had gone by."""
    gone = _sec(seconds)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - gone,
        deadline_at=attempt.deadline_at - gone,
        question_deadline_at=attempt.question_deadline_at - gone,
    )
    attempt.refresh_from_db()
    return attempt


def _ids(attempt) -> list[str]:
    return [str(q) for q in attempt.question_ids()]


def test_a_paced_attempt_starts_on_its_first_question_with_the_time_per_question(tree, quiz):
    attempt, _resumed = taking.start_attempt(quiz, user=tree.public)
    attempt.refresh_from_db()
    assert attempt.current_index == 0
    assert attempt.question_deadline_at == attempt.started_at + _sec(S)
    assert attempt.deadline_at == attempt.started_at + _sec(S * 5)


def test_answers_are_taken_for_the_question_shown_and_next_moves_on(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    first, second = _ids(attempt)[:2]
    keys = right_answers(attempt)
    taking.save_answers(attempt, user=tree.public, answers={first: keys[first]})
    with pytest.raises(DomainError) as exc:
        taking.save_answers(attempt, user=tree.public, answers={second: keys[second]})
    assert exc.value.code == "not_current"
    with pytest.raises(DomainError) as exc:
        taking.save_answers(attempt, user=tree.public, answers={}, finished=int(second))
    assert exc.value.code == "not_current"
    with pytest.raises(DomainError) as exc:
        taking.save_answers(attempt, user=tree.public, answers={}, finished=999_999)
    assert exc.value.code == "not_in_paper"
    row = Attempt.objects.get(pk=attempt.pk)
    assert (row.answers, row.current_index) == ({first: keys[first]}, 0)

    before = timezone.now()
    taking.save_answers(
        attempt, user=tree.public, answers={first: keys[first]}, finished=int(first)
    )
    row = Attempt.objects.get(pk=attempt.pk)
    assert row.current_index == 1
    assert before + _sec(S) <= row.question_deadline_at <= timezone.now() + _sec(S)
    # No going back: the first question no longer takes answers; the second does.
    with pytest.raises(Conflict) as exc:
        taking.save_answers(attempt, user=tree.public, answers={first: []})
    assert exc.value.code == "question_closed"
    taking.save_answers(attempt, user=tree.public, answers={second: keys[second]})
    assert Attempt.objects.get(pk=attempt.pk).answers == {
        first: keys[first],
        second: keys[second],
    }


def test_a_paced_save_with_nothing_in_between_is_one_statement(
    tree, quiz, django_assert_num_queries
):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    first = _ids(attempt)[0]
    attempt = Attempt.objects.get(pk=attempt.pk)  # as the API reads it, from the database
    attempt.quiz = quiz
    option = attempt.paper[0][1][0]
    with django_assert_num_queries(1):
        taking.save_answers(attempt, user=tree.public, answers={first: [option]})
    with django_assert_num_queries(1):
        taking.save_answers(attempt, user=tree.public, answers={}, finished=int(first))
    assert Attempt.objects.get(pk=attempt.pk).current_index == 1


def test_a_question_whose_time_ran_out_takes_no_answer_after_the_grace(tree, quiz, settings):
    settings.KEPU_QUIZ_GRACE_SECONDS = 10
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    first, second = _ids(attempt)[:2]
    keys = right_answers(attempt)
    _shift(attempt, S + 5)  # the first ran out 5 s ago: an answer in flight still counts
    taking.save_answers(attempt, user=tree.public, answers={first: keys[first]})
    _shift(attempt, 10)  # now 15 s ago
    with pytest.raises(Conflict) as exc:
        taking.save_answers(attempt, user=tree.public, answers={first: []})
    assert exc.value.code == "question_closed"
    assert Attempt.objects.get(pk=attempt.pk).answers == {first: keys[first]}
    taking.save_answers(attempt, user=tree.public, answers={second: keys[second]})
    row = Attempt.objects.get(pk=attempt.pk)
    assert row.current_index == 1  # where it stands is written with the save


def test_a_save_from_a_second_window_that_moved_on_is_decided_on_the_row_as_it_is(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    first = _ids(attempt)[0]
    other_window = Attempt.objects.get(pk=attempt.pk)
    other_window.quiz = attempt.quiz
    taking.save_answers(other_window, user=tree.public, answers={}, finished=int(first))
    # The first window still thinks question 1 is shown; the row says otherwise.
    option = attempt.paper[0][1][0]
    with pytest.raises(Conflict) as exc:
        taking.save_answers(attempt, user=tree.public, answers={first: [option]})
    assert exc.value.code == "question_closed"
    assert Attempt.objects.get(pk=attempt.pk).answers == {}


def test_when_every_question_has_run_out_the_attempt_is_over_and_scored_as_it_stood(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    ids = _ids(attempt)
    keys = right_answers(attempt)
    taking.save_answers(
        attempt, user=tree.public, answers={ids[0]: keys[ids[0]]}, finished=int(ids[0])
    )
    attempt = _shift(attempt, 600)
    attempt.quiz = quiz
    assert taking.time_is_up(attempt)
    scored, _replayed, _rank = taking.submit_attempt(attempt, user=tree.public, answers=keys)
    assert scored.late and (scored.correct_count, scored.score) == (1, 20)
    # Time taken counts to the end of the last question's time (the first was finished at
    # once, so four questions' time: 80 s), not to the request nor to the overall deadline.
    assert 80_000 <= scored.duration_ms < 82_000


def test_a_submission_counts_only_the_answer_of_the_question_shown(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    ids = _ids(attempt)
    keys = right_answers(attempt)
    for qid in ids[:4]:
        taking.save_answers(attempt, user=tree.public, answers={qid: keys[qid]}, finished=int(qid))
    # On the last question: a submission that also sends answers for the first four (tampered)
    # and the last one counts the last one's; the first four stand as saved.
    Attempt.objects.filter(pk=attempt.pk).update(answers={})
    attempt.refresh_from_db()
    attempt.quiz = quiz
    scored, replayed, _rank = taking.submit_attempt(attempt, user=tree.public, answers=keys)
    assert not replayed and not scored.late
    assert scored.correct_count == 1 and scored.answers == {ids[4]: keys[ids[4]]}


def test_starting_again_after_every_question_ran_out_scores_the_old_attempt(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    _shift(attempt, S * 5 + 60)
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(quiz, user=tree.public)
    assert exc.value.code == "no_attempts_left"
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is not None


def test_the_time_per_question_of_a_published_quiz_cannot_change(tree, quiz):
    with pytest.raises(Conflict) as exc:
        services.edit_quiz(quiz, actor=tree.admin, seconds_per_question=60)
    assert exc.value.code == "published"
    assert Quiz.objects.get(pk=quiz.pk).seconds_per_question == S


# --- the API ------------------------------------------------------------------------------------


def test_the_api_hands_out_one_question_at_a_time(client, tree, quiz):
    api = _api(client, tree.public)
    assert api("GET", f"/quizzes/{quiz.pk}").json()["paced"] is True
    started = api("POST", f"/quizzes/{quiz.pk}/attempts").json()
    attempt = Attempt.objects.get(public_id=started["id"])
    ids = [int(q) for q in _ids(attempt)]
    assert started["paced"] is True
    assert [q["id"] for q in started["questions"]] == [ids[0]]
    quiz_api.AttemptOut.model_validate(started)
    assert "解析" not in json.dumps(started, ensure_ascii=False)
    assert started["current"]["id"] == ids[0] and started["current"]["number"] == 1
    assert 0 < started["current"]["seconds_left"] <= S
    path = f"/quiz-attempts/{started['id']}"

    answer = {str(ids[1]): [attempt.paper[1][1][0]]}
    refused = api("PUT", f"{path}/answers", {"answers": answer}, **{"Accept-Language": "vi"})
    assert refused.status_code == 400 and refused.json()["code"] == "not_current"
    with translation.override("vi"):
        assert refused.json()["message"] == translation.gettext(
            "Answer the question shown now: the next one opens after it."
        )
    assert Attempt.objects.get(pk=attempt.pk).answers == {}

    body = {"answers": {str(ids[0]): [attempt.paper[0][1][0]]}, "finished": ids[0]}
    saved = api("PUT", f"{path}/answers", body)
    assert saved.status_code == 200
    nxt = saved.json()["current"]
    assert nxt["id"] == ids[1] and nxt["number"] == 2 and nxt["stem"]
    assert [o["id"] for o in nxt["options"]] == attempt.paper[1][1]
    assert '"correct"' not in saved.content.decode() and "解析" not in saved.content.decode()
    quiz_api.SavedOut.model_validate(saved.json())
    shown = api("GET", path).json()
    assert [q["id"] for q in shown["questions"]] == [ids[1]]
    again = api("PUT", f"{path}/answers", {"answers": {str(ids[0]): []}})
    assert again.status_code == 409 and again.json()["code"] == "question_closed"


def test_a_quiz_that_is_not_paced_says_so_and_lists_the_whole_paper(client, tree, campaign):
    bank(tree, count=12)
    plain = open_quiz(tree, campaign)
    api = _api(client, tree.public)
    started = api("POST", f"/quizzes/{plain.pk}/attempts").json()
    assert started["paced"] is False and started["current"] is None
    assert len(started["questions"]) == 5


# --- the taking page ----------------------------------------------------------------------------


def test_the_page_shows_the_question_whose_time_is_running_with_no_way_back(client, tree, quiz):
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    ids = _ids(attempt)
    url = f"/en/quizzes/attempts/{attempt.public_id}/"
    page = client.get(url).content.decode()
    assert "Question 1 of 5" in page and f'name="q{ids[0]}"' in page
    assert f'name="q{ids[1]}"' not in page  # the next question is not in the page yet
    assert "Previous" not in page and "All questions on one page" not in page
    assert "Next question" in page and "Time left for this question:" in page
    # ?q= and ?all=1 do not reach past or future questions.
    assert f'name="q{ids[1]}"' not in client.get(url + "?q=2&all=1").content.decode()

    option = attempt.paper[0][1][0]
    moved = client.post(url, {"shown": ids[0], f"q{ids[0]}": option, "go": "next"})
    assert moved.status_code == 302
    page = client.get(url).content.decode()
    assert "Question 2 of 5" in page and f'name="q{ids[1]}"' in page
    assert Attempt.objects.get(pk=attempt.pk).answers == {ids[0]: [option]}

    # A form for the first question posted again (the back button): refused, said, unchanged.
    again = client.post(url, {"shown": ids[0], f"q{ids[0]}": attempt.paper[0][1][1], "go": "next"})
    assert again.status_code == 302
    page = client.get(url).content.decode()
    assert "The time for this question is up" in page and "Question 2 of 5" in page
    assert Attempt.objects.get(pk=attempt.pk).answers == {ids[0]: [option]}


def test_the_last_question_submits_and_a_run_out_attempt_goes_to_its_result(client, tree, quiz):
    client.force_login(tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    ids = _ids(attempt)
    url = f"/en/quizzes/attempts/{attempt.public_id}/"
    for qid in ids[:4]:
        client.post(url, {"shown": qid, "go": "next"})
    page = client.get(url).content.decode()
    assert "Question 5 of 5" in page and "Submit my answers" in page
    assert "Next question" not in page
    done = client.post(url, {"shown": ids[4], "go": "submit"})
    assert done.status_code == 302 and done.url.endswith("/result/")
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is not None

    other = make_user("13900009999", "晚到的人")
    client.force_login(other)
    late, _ = taking.start_attempt(quiz, user=other)
    _shift(late, S * 5 + 1)  # every question ran out (within the grace of the last)
    response = client.get(f"/en/quizzes/attempts/{late.public_id}/")
    assert response.status_code == 302 and response.url.endswith("/result/")
    assert Attempt.objects.get(pk=late.pk).submitted_at is not None


def test_the_quiz_page_tells_people_it_is_one_question_at_a_time(client, tree, quiz):
    page = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert f"{S} seconds per question" in page
