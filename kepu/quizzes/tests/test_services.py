"""Quiz services on the real database: papers, the attempts policy, saving, scoring, timing,
the question bank and the prize draw."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from kepu.core.errors import Conflict, DomainError, Forbidden
from kepu.core.models import AuditEntry
from kepu.quizzes import draw, services, taking
from kepu.quizzes.models import Attempt, Best, Question, Quiz

from .helpers import bank, open_quiz, right_answers, take


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=12)
    return open_quiz(tree, campaign)


def test_each_attempt_gets_its_own_shuffled_paper_of_questions_and_options(tree, quiz):
    papers = []
    for n in range(6):
        user = make_user(f"1390000{n:04d}", f"答题者{n}")
        attempt, _resumed = taking.start_attempt(quiz, user=user)
        assert len(attempt.paper) == 5
        papers.append(attempt.paper)
    assert len({tuple(q for q, _o, _m in p) for p in papers}) > 1, "question order never varies"
    orders = {tuple(o) for p in papers for _q, o, _m in p}
    assert len(orders) > len({q for p in papers for q, _o, _m in p}), "options never shuffled"


def test_the_mix_gives_the_asked_number_of_each_topic_and_difficulty(tree, campaign):
    bank(tree, count=12)
    mix = [
        {"topic": "防疫知识", "difficulty": None, "count": 3},
        {"topic": "个人防护", "difficulty": 2, "count": 2},
    ]
    quiz = open_quiz(tree, campaign, mix=mix)
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    questions = Question.objects.in_bulk(attempt.question_ids())
    topics = [questions[q].topic for q in attempt.question_ids()]
    assert topics.count("防疫知识") == 3
    assert [
        questions[q].difficulty for q in attempt.question_ids() if questions[q].topic == "个人防护"
    ] == [2, 2]


def test_publishing_refuses_a_bank_too_small_for_the_mix_and_changes_nothing(tree, campaign):
    bank(tree, count=4)
    quiz = open_quiz(tree, campaign, publish=False)
    with pytest.raises(DomainError) as exc:
        services.publish_quiz(quiz, actor=tree.admin)
    assert exc.value.code == "pool_too_small"
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT and quiz.pool == {}
    assert not Question.objects.filter(is_locked=True).exists()


def test_a_mix_that_does_not_add_up_is_refused(tree, campaign):
    with pytest.raises(DomainError) as exc:
        open_quiz(tree, campaign, publish=False, mix=[{"topic": "", "count": 2}])
    assert exc.value.code == "invalid"
    assert "adds up to 2" in exc.value.message


def test_once_means_once_and_the_second_start_is_refused_with_a_code(tree, quiz):
    take(quiz, tree.public)
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(quiz, user=tree.public)
    assert exc.value.code == "no_attempts_left"
    assert Attempt.objects.filter(quiz=quiz, user=tree.public).count() == 1


def test_starting_again_gives_back_the_attempt_in_progress(tree, quiz):
    first, resumed = taking.start_attempt(quiz, user=tree.public)
    again, resumed_again = taking.start_attempt(quiz, user=tree.public)
    assert (resumed, resumed_again) == (False, True)
    assert again.pk == first.pk and again.paper == first.paper


def test_n_a_day_allows_n_attempts_a_day_and_the_best_score_is_kept(tree, campaign):
    bank(tree, count=12)
    quiz = open_quiz(tree, campaign, attempts_policy="per_day", max_attempts=2)
    first, _ = take(quiz, tree.public, right=5)
    second, _ = take(quiz, tree.public, right=1)
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(quiz, user=tree.public)
    assert exc.value.code == "no_attempts_left"
    best = Best.objects.get(quiz=quiz, user=tree.public)
    assert (best.attempt_id, best.score) == (first.pk, 100)
    # Tomorrow the allowance starts again.
    for attempt in Attempt.objects.filter(quiz=quiz):
        Attempt.objects.filter(pk=attempt.pk).update(slot="2000-01-01#" + attempt.slot[-1])
    third, resumed = taking.start_attempt(quiz, user=tree.public)
    assert not resumed and third.slot.endswith("#1")


def test_saving_refuses_foreign_questions_and_unknown_options_and_changes_nothing(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    qid, options, _multiple = attempt.paper[0]
    taking.save_answers(attempt, user=tree.public, answers={str(qid): [options[1]]})
    other = Question.objects.exclude(pk__in=attempt.question_ids()).first()
    cases = [
        ({str(other.pk): [other.options[0]["id"]]}, "not_in_paper"),
        ({str(qid): ["nope"]}, "unknown_option"),
        ({str(attempt.paper[1][0]): [], str(qid): ["zzz"]}, "unknown_option"),
    ]
    single = next(item for item in attempt.paper if not item[2])
    cases.append(({str(single[0]): single[1][:2]}, "one_option"))
    for answers, code in cases:
        with pytest.raises(DomainError) as exc:
            taking.save_answers(attempt, user=tree.public, answers=answers)
        assert exc.value.code == code
    attempt.refresh_from_db()
    assert attempt.answers == {str(qid): [options[1]]}
    with pytest.raises(Forbidden):
        taking.save_answers(attempt, user=tree.reporter_a, answers={str(qid): [options[0]]})


def test_the_same_submission_twice_is_scored_once(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    answers = right_answers(attempt)
    first, replayed, rank = taking.submit_attempt(attempt, user=tree.public, answers=answers)
    submitted_at = first.submitted_at
    again, replayed_again, rank_again = taking.submit_attempt(
        attempt, user=tree.public, answers={str(q): [] for q in attempt.question_ids()}
    )
    assert (replayed, replayed_again) == (False, True)
    assert again.score == first.score == 100 and rank == rank_again == 1
    again.refresh_from_db()
    assert again.submitted_at == submitted_at and again.answers == answers
    assert Best.objects.filter(quiz=quiz).count() == 1


def _past_deadline(attempt, seconds_over: int) -> None:
    now = timezone.now()
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=now - dt.timedelta(seconds=600 + seconds_over),
        deadline_at=now - dt.timedelta(seconds=seconds_over),
    )
    attempt.refresh_from_db()


def test_a_submission_after_the_limit_is_scored_as_it_stood_at_the_limit(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    answers = right_answers(attempt)
    first_two = dict(list(answers.items())[:2])
    taking.save_answers(attempt, user=tree.public, answers=first_two)
    _past_deadline(attempt, seconds_over=60)
    with pytest.raises(Conflict) as exc:
        taking.save_answers(attempt, user=tree.public, answers=answers)
    assert exc.value.code == "time_up"
    scored, replayed, _rank = taking.submit_attempt(attempt, user=tree.public, answers=answers)
    assert not replayed and scored.late
    assert (scored.correct_count, scored.score) == (2, 40)
    assert scored.duration_ms == 600_000  # time taken counts to the limit, not to the request


def test_a_submission_within_the_grace_still_counts_its_answers(tree, quiz):
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    _past_deadline(attempt, seconds_over=3)
    scored, _replayed, _rank = taking.submit_attempt(
        attempt, user=tree.public, answers=right_answers(attempt)
    )
    assert not scored.late and scored.score == 100


def test_starting_outside_the_window_is_refused(tree, campaign):
    bank(tree, count=6)
    now = timezone.now()
    later = open_quiz(
        tree, campaign, opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1)
    )
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(later, user=tree.public)
    assert exc.value.code == "not_open"
    Quiz.objects.filter(pk=later.pk).update(
        opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(days=1)
    )
    later.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        taking.start_attempt(later, user=tree.public)
    assert exc.value.code == "closed"
    assert not Attempt.objects.exists()


def test_only_people_of_the_eligible_regions_may_start(tree, campaign):
    from kepu.organisations.services import add_region

    bank(tree, count=6)
    quiz = open_quiz(tree, campaign, publish=False)
    services.edit_quiz(quiz, actor=tree.admin, regions=[tree.regions.zhongwei])
    quiz = services.publish_quiz(quiz, actor=tree.admin)
    elsewhere = add_region(code="41", name="河南省")
    with pytest.raises(DomainError) as exc:
        taking.start_attempt(quiz, user=tree.public, region=elsewhere)
    assert exc.value.code == "not_eligible"
    with pytest.raises(DomainError):
        taking.start_attempt(quiz, user=tree.public)
    attempt, _ = taking.start_attempt(quiz, user=tree.public, region=tree.regions.shapotou)
    assert attempt.region == tree.regions.shapotou


def test_editing_a_question_of_a_published_quiz_keeps_past_papers(tree, quiz):
    attempt, _ = take(quiz, tree.public)
    question = Question.objects.get(pk=attempt.question_ids()[0])
    old_stem, old_correct = question.stem, question.correct
    new = services.edit_question(
        question,
        actor=tree.admin,
        kind="single",
        language="zh-hans",
        stem="改过的题目",
        options=["甲", "乙"],
        correct=[1],
        topic=question.topic,
        difficulty=question.difficulty,
    )
    assert new.pk != question.pk
    question.refresh_from_db()
    assert (question.stem, question.correct, question.is_retired) == (old_stem, old_correct, True)
    assert question.replaced_by == new
    quiz.refresh_from_db()
    ids = [e[0] for e in quiz.pool["zh-hans"]]
    assert new.pk in ids and question.pk not in ids
    attempt.refresh_from_db()
    assert attempt.score == 100
    assert AuditEntry.objects.filter(action="quizzes.question.replaced").count() == 1


def test_a_draft_question_is_edited_in_place(tree, campaign):
    question = bank(tree, count=1)[0]
    same = services.edit_question(
        question, actor=tree.admin, kind="truefalse", language="zh-hans", stem="勤洗手能预防感染。",
        options=[], correct=[0], topic="个人防护", difficulty=1,
    )  # fmt: skip
    assert same.pk == question.pk and same.kind == "truefalse" and len(same.options) == 2
    assert same.correct == [same.options[0]["id"]]


def test_retiring_a_question_takes_it_out_of_new_papers_unless_too_few_would_be_left(
    tree, campaign
):
    questions = bank(tree, count=6)
    quiz = open_quiz(tree, campaign)
    services.retire_question(questions[0], actor=tree.admin)
    quiz.refresh_from_db()
    assert questions[0].pk not in [e[0] for e in quiz.pool["zh-hans"]]
    with pytest.raises(Conflict) as exc:
        services.retire_question(questions[1], actor=tree.admin)
    assert exc.value.code == "pool_too_small"
    questions[1].refresh_from_db()
    assert not questions[1].is_retired


def test_a_county_coordinator_cannot_touch_the_city_bank(tree, campaign):
    question = bank(tree, count=1)[0]
    with pytest.raises(Forbidden):
        services.retire_question(question, actor=tree.coordinator)
    with pytest.raises(Forbidden):
        services.create_question(
            tree.city, actor=tree.coordinator, kind="single", language="zh-hans", stem="题",
            options=["甲", "乙"], correct=[0],
        )  # fmt: skip


def test_bad_questions_are_refused_with_the_reason(tree):
    base = dict(kind="single", language="zh-hans", stem="题", options=["甲", "乙"], correct=[0])
    for change, reason in [
        ({"stem": " "}, "Write the question."),
        ({"options": ["甲"]}, "Give from 2 to 8 options."),
        ({"correct": [5]}, "Mark the correct answer among the options."),
        ({"correct": [0, 1]}, "This kind of question has exactly one correct answer."),
        ({"language": "fr"}, "Choose one of the four languages."),
    ]:
        with pytest.raises(DomainError) as exc:
            services.create_question(tree.city, actor=tree.admin, **{**base, **change})
        assert exc.value.message == reason
    assert not Question.objects.exists()


def test_practice_attempts_are_unlimited_and_stay_off_the_leaderboard(tree, campaign):
    bank(tree, count=6)
    quiz = open_quiz(tree, campaign, is_practice=True, prize_threshold=None)
    for _ in range(3):
        attempt, rank = take(quiz, tree.public)
        assert rank is None and attempt.score == 100
    assert not Best.objects.exists()


def test_the_published_quiz_keeps_its_paper_settings(tree, quiz):
    with pytest.raises(Conflict) as exc:
        services.edit_quiz(quiz, actor=tree.admin, question_count=6)
    assert exc.value.code == "published"
    services.edit_quiz(quiz, actor=tree.admin, title="新标题")
    assert AuditEntry.objects.filter(action="quizzes.quiz.edited").exists()


def test_closing_a_quiz_earlier_ends_the_attempts_in_progress_then(tree, quiz, settings):
    settings.KEPU_QUIZ_GRACE_SECONDS = 0
    attempt, _ = taking.start_attempt(quiz, user=tree.public)
    keys = right_answers(attempt)
    first, second = (str(q) for q in attempt.question_ids()[:2])
    taking.save_answers(attempt, user=tree.public, answers={first: keys[first]})
    closes = timezone.now() - dt.timedelta(seconds=1)
    services.edit_quiz(quiz, actor=tree.admin, closes_at=closes)
    attempt.refresh_from_db()
    assert attempt.deadline_at == closes
    with pytest.raises(Conflict) as exc:
        taking.save_answers(attempt, user=tree.public, answers={second: keys[second]})
    assert exc.value.code == "time_up"
    taking.submit_attempt(attempt, user=tree.public, answers={second: keys[second]})
    attempt.refresh_from_db()
    assert attempt.late and attempt.answers == {first: keys[first]} and attempt.correct_count == 1


# --- the prize draw ------------------------------------------------------------------------


def test_a_draw_is_reproduced_by_anyone_from_its_published_seed_and_entries(tree, quiz):
    prize_draw = services.commit_draw(quiz, actor=tree.admin, winners_count=3)
    assert prize_draw.commitment == draw.commitment_of(prize_draw.seed)
    for n in range(6):
        take(quiz, make_user(f"1390001{n:04d}", f"参赛{n}"), right=5 if n % 2 == 0 else 2)
    with pytest.raises(Conflict) as exc:
        services.run_draw(quiz, actor=tree.admin)
    assert exc.value.code == "still_open"
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    quiz.refresh_from_db()
    drawn = services.run_draw(quiz, actor=tree.admin)
    eligible = sorted(Best.objects.filter(quiz=quiz, score__gte=80).values_list("pk", flat=True))
    assert drawn.entries == eligible and len(eligible) == 3
    published = {"seed": drawn.seed, "entries": list(drawn.entries), "count": 3}
    assert draw.draw_winners(published["seed"], published["entries"], 3) == drawn.winners
    assert sorted(drawn.winners) == eligible
    # Someone else's seed gives another order: the seed, not the organiser, decides.
    orders = {tuple(draw.draw_winners(draw.new_seed(), eligible, 3)) for _ in range(20)}
    assert len(orders) > 1
    with pytest.raises(Conflict):
        services.run_draw(quiz, actor=tree.admin)
    assert AuditEntry.objects.filter(action__startswith="quizzes.draw.").count() == 2


def test_the_commitment_must_come_before_the_quiz_closes(tree, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    quiz.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.commit_draw(quiz, actor=tree.admin, winners_count=1)
    assert exc.value.code == "closed"


def test_draw_winners_is_a_pure_function_of_its_inputs():
    seed = "ab" * 32
    entries = [17, 3, 99, 42, 8]
    assert draw.draw_winners(seed, entries, 2) == draw.draw_winners(
        seed, list(reversed(entries)), 2
    )
    assert draw.draw_winners(seed, entries, 10) == sorted(
        draw.draw_winners(seed, entries, 10), key=draw.draw_winners(seed, entries, 10).index
    )
    assert sorted(draw.draw_winners(seed, entries, 10)) == sorted(entries)


def test_starts_are_throttled_per_account_and_per_address(tree, quiz, settings):
    settings.KEPU_QUIZ_START_LIMIT = (3, 60)
    settings.KEPU_QUIZ_START_ADDRESS_LIMIT = (4, 60)
    for _ in range(3):
        taking.start_attempt(quiz, user=tree.public, address="10.1.1.1")
    with pytest.raises(DomainError) as exc:
        taking.start_attempt(quiz, user=tree.public, address="10.1.1.1")
    assert exc.value.code == "throttled"
    taking.start_attempt(quiz, user=tree.reporter_a, address="10.1.1.1")
    with pytest.raises(DomainError) as exc:
        taking.start_attempt(quiz, user=tree.reporter_b, address="10.1.1.1")
    assert exc.value.code == "throttled"
    assert not Attempt.objects.filter(user=tree.reporter_b).exists()


def test_the_demo_quizzes_are_built_once_from_the_seed(db):
    from kepu.activities.demo import build_demo
    from kepu.quizzes.demo import build_quiz_demo

    demo = build_demo(out=lambda *args: None)
    first = build_quiz_demo(demo, out=lambda *args: None)
    again = build_quiz_demo(demo, out=lambda *args: None)
    assert [q.pk for q in first] == [q.pk for q in again] and len(first) == 2
    assert Question.objects.filter(language="zh-hans").count() == 21
    assert Question.objects.filter(language="vi").count() == 6
    assert Best.objects.filter(quiz=first[0]).count() == 2
