"""Leaderboards: the order, Redis and the database agreeing, Redis down and catching up,
participation statistics and the suspicious-attempts report."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from conftest import make_user
from kepu.core.errors import DomainError
from kepu.core.models import AuditEntry
from kepu.quizzes import importing, leaderboard, selectors, services, taking
from kepu.quizzes.models import Attempt, Best, Question

from .helpers import bank, open_quiz, take

ON_REDIS = bool(settings.REDIS_URL)


@pytest.fixture
def quiz(tree, campaign):
    bank(tree, count=12)
    return open_quiz(tree, campaign, attempts_policy="total", max_attempts=3)


def _people(n, prefix="1381"):
    return [make_user(f"{prefix}{i:07d}", f"选手{i}") for i in range(n)]


def _set_best(quiz, user, *, score, duration_ms, seconds):
    """A person's best row as a finished attempt would leave it (for exact order tests)."""
    attempt = Attempt.objects.create(
        quiz=quiz, user=user, slot="1", language="zh-hans", deadline_at=timezone.now()
    )
    submitted = quiz.opens_at + dt.timedelta(seconds=seconds)
    best = Best.objects.create(
        quiz=quiz,
        user=user,
        attempt=attempt,
        score=score,
        duration_ms=duration_ms,
        submitted_at=submitted,
        sort_key=leaderboard.sort_key(
            score=score, duration_ms=duration_ms, submitted_seconds=seconds
        ),
    )
    leaderboard.record(best)
    return best


def test_the_order_is_score_then_time_taken_then_submission_time(quiz):
    a, b, c, d, e = _people(5)
    _set_best(quiz, a, score=80, duration_ms=30_000, seconds=100)
    _set_best(quiz, b, score=100, duration_ms=90_000, seconds=500)
    _set_best(quiz, c, score=80, duration_ms=30_000, seconds=50)
    _set_best(quiz, d, score=80, duration_ms=20_000, seconds=900)
    _set_best(quiz, e, score=100, duration_ms=90_000, seconds=500)  # a tie: the id decides
    expected = [b.pk, e.pk, d.pk, c.pk, a.pk]
    ids, _source = leaderboard.top_user_ids(quiz, limit=10)
    assert ids == expected
    assert [leaderboard.rank_of(quiz, u) for u in expected] == [1, 2, 3, 4, 5]


def test_the_sort_key_keeps_the_three_keys_apart_within_a_redis_double():
    worst = leaderboard.sort_key(score=0, duration_ms=10**10, submitted_seconds=10**10)
    assert worst < 2**53
    assert leaderboard.sort_key(score=90, duration_ms=0, submitted_seconds=0) > (
        leaderboard.sort_key(score=91, duration_ms=10**10, submitted_seconds=10**10)
    )
    assert leaderboard.sort_key(score=50, duration_ms=1000, submitted_seconds=0) > (
        leaderboard.sort_key(score=50, duration_ms=900, submitted_seconds=10**9)
    )


@pytest.mark.skipif(not ON_REDIS, reason="needs REDIS_URL (CI runs it on PostgreSQL + Redis)")
def test_redis_and_the_database_give_the_same_order(quiz, tree, settings):
    import random

    rng = random.Random(4)
    people = _people(40)
    for n, user in enumerate(people):
        _set_best(
            quiz,
            user,
            score=rng.choice([60, 80, 100]),
            duration_ms=rng.choice([10_000, 12_000, 12_050]),
            seconds=rng.choice([5, 6]) + n % 2,
        )
    from_redis, source = leaderboard.top_user_ids(quiz, limit=100)
    assert source == "redis"
    settings.REDIS_URL = ""
    from_db, source = leaderboard.top_user_ids(quiz, limit=100)
    assert source == "database"
    assert from_redis == from_db and len(from_db) == 40


@pytest.mark.skipif(not ON_REDIS, reason="needs REDIS_URL (CI runs it on PostgreSQL + Redis)")
def test_with_redis_down_the_quiz_goes_on_and_the_leaderboard_catches_up(quiz, tree, settings):
    first, second = _people(2)
    take(quiz, first, right=5)
    good_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    leaderboard._client.cache_clear()
    attempt, rank = take(quiz, second, right=3)
    assert attempt.score == 60 and rank == 2  # ranked from the database
    quiz.refresh_from_db()
    assert quiz.leaderboard_stale
    settings.REDIS_URL = good_url
    leaderboard.reset_down()
    ids, source = leaderboard.top_user_ids(quiz)
    assert (ids, source) == ([first.pk, second.pk], "redis")
    quiz.refresh_from_db()
    assert not quiz.leaderboard_stale


@pytest.mark.skipif(not ON_REDIS, reason="needs REDIS_URL (CI runs it on PostgreSQL + Redis)")
def test_boards_redis_lost_are_noticed_at_the_next_submission_and_rebuilt(quiz, tree):
    first, second = _people(2)
    take(quiz, first, right=5)
    redis = leaderboard.client()
    for lost in list(redis.scan_iter(match=f"{leaderboard.key(quiz.pk)}*")):
        redis.delete(lost)  # as after a Redis restart without its data
    attempt, rank = take(quiz, second, right=3)
    assert attempt.score == 60 and rank == 2  # from the database, not first of an empty board
    quiz.refresh_from_db()
    assert quiz.leaderboard_stale
    ids, source = leaderboard.top_user_ids(quiz)
    assert (ids, source) == ([first.pk, second.pk], "redis")
    quiz.refresh_from_db()
    assert not quiz.leaderboard_stale
    third = _people(1, prefix="1382")[0]
    assert take(quiz, third, right=4)[1] == 2  # the rebuilt boards are kept: no false alarm
    quiz.refresh_from_db()
    assert not quiz.leaderboard_stale


@pytest.mark.skipif(not ON_REDIS, reason="needs REDIS_URL (CI runs it on PostgreSQL + Redis)")
def test_a_submission_recorded_while_the_boards_are_rebuilt_is_kept(quiz, tree):
    first, second, third = _people(3)
    take(quiz, first, right=5)
    take(quiz, third, right=1)
    Best.objects.filter(user=third).delete()  # someone no longer on the list
    staged = leaderboard.stage(quiz)  # built aside from the database as it stands now
    take(quiz, second, right=3)  # meanwhile recorded on the boards in use
    ids, _source = leaderboard.top_user_ids(quiz)
    assert ids == [first.pk, second.pk, third.pk]  # readers still see the boards in use
    leaderboard.put_in_place(quiz, staged)
    ids, source = leaderboard.top_user_ids(quiz)
    assert (ids, source) == ([first.pk, second.pk], "redis")
    assert leaderboard.rank_of(quiz, second.pk) == 2
    redis = leaderboard.client()
    assert not list(redis.scan_iter(match=f"{staged.prefix}*"))  # nothing left aside
    assert redis.ttl(leaderboard.key(quiz.pk)) == -1  # the boards in place do not expire


@pytest.mark.skipif(not ON_REDIS, reason="needs REDIS_URL (CI runs it on PostgreSQL + Redis)")
def test_a_rebuild_drops_boards_nobody_is_on_and_keeps_the_better_key(quiz, tree):
    first, second = _people(2)
    take(quiz, first, right=2)
    redis = leaderboard.client()
    orphan = leaderboard.key(quiz.pk, "organisation", 999_999)
    redis.zadd(orphan, {leaderboard.member(first.pk): 1})
    staged = leaderboard.stage(quiz)
    take(quiz, first, right=5)  # a better attempt while the boards are built aside
    take(quiz, second, right=4)
    leaderboard.put_in_place(quiz, staged)
    assert not redis.exists(orphan)
    ids, _source = leaderboard.top_user_ids(quiz)
    assert ids == [first.pk, second.pk]  # first's better key, not the staged one


def test_region_and_organisation_leaderboards_hold_only_their_people(quiz, tree):
    from kepu.organisations.services import add_region

    a, b, c = _people(3)
    other_county = add_region(parent=tree.regions.zhongwei, code="640521", name="中宁县")
    take(quiz, a, right=5, region=tree.regions.shapotou, organisation=tree.unit_a)
    take(quiz, b, right=4, region=tree.regions.zhongwei, organisation=tree.unit_b)
    take(quiz, c, right=3, region=other_county)

    def board(region):
        return leaderboard.top_user_ids(quiz, scope="region", ident=region.pk)[0]

    # A county's board holds its people; a city's and a province's hold those below them too.
    assert board(tree.regions.shapotou) == [a.pk]
    assert board(other_county) == [c.pk]
    assert board(tree.regions.zhongwei) == [a.pk, b.pk, c.pk]
    assert board(tree.regions.ningxia) == [a.pk, b.pk, c.pk]
    assert leaderboard.rank_of(quiz, c.pk, scope="region", ident=tree.regions.zhongwei.pk) == 3
    assert leaderboard.top_user_ids(quiz, scope="organisation", ident=tree.unit_a.pk)[0] == [a.pk]
    rows, _source = selectors.leaderboard_rows(quiz)
    assert [(r.rank, r.name, r.score) for r in rows] == [
        (1, "选**", 100),
        (2, "选**", 80),
        (3, "选**", 60),
    ]


def test_a_later_attempt_keeps_the_region_of_the_first(quiz, tree):
    take(quiz, tree.public, right=2, region=tree.regions.shapotou)
    attempt, _rank = take(quiz, tree.public, right=5, region=tree.regions.ningxia)
    assert attempt.region_id == tree.regions.shapotou.pk
    assert Best.objects.get(quiz=quiz, user=tree.public).region_id == tree.regions.shapotou.pk
    board = leaderboard.top_user_ids(quiz, scope="region", ident=tree.regions.shapotou.pk)[0]
    assert board == [tree.public.pk]


def test_a_better_attempt_replaces_the_best_and_a_worse_one_does_not(quiz, tree):
    take(quiz, tree.public, right=2)
    take(quiz, tree.public, right=4)
    take(quiz, tree.public, right=1)
    best = Best.objects.get(quiz=quiz, user=tree.public)
    assert best.score == 80
    assert leaderboard.top_user_ids(quiz)[0] == [tree.public.pk]


def test_the_leaderboard_page_of_many_people_takes_a_fixed_number_of_queries(
    quiz, tree, client, django_assert_max_num_queries
):
    for user in _people(30):
        take(quiz, user, right=3, region=tree.regions.shapotou)
    with django_assert_max_num_queries(8):
        response = client.get(f"/en/quizzes/{quiz.pk}/leaderboard/")
    assert response.status_code == 200
    assert response.content.decode().count("选**") == 30


def test_participation_is_counted_by_region_and_by_day(quiz, tree):
    for user in _people(3):
        take(quiz, user, region=tree.regions.shapotou)
    take(quiz, tree.public, region=tree.regions.zhongwei)
    taking.start_attempt(quiz, user=tree.public, region=tree.regions.zhongwei)
    stats = selectors.participation(quiz)
    assert (stats.attempts, stats.people, stats.submitted) == (5, 4, 4)
    assert stats.by_region == [("沙坡头区", 3, 3), ("中卫市", 2, 1)]
    today = timezone.localdate(timezone.now(), quiz.campaign.tz)
    assert stats.by_day == [(today, 5, 4)]


def test_the_suspicious_report_finds_fast_shared_and_bursty_attempts(tree, campaign, settings):
    settings.KEPU_QUIZ_BURST_ATTEMPTS = 4
    bank(tree, count=5)
    # Every paper holds the same five questions (in its own order): answer sheets can match.
    quiz = open_quiz(tree, campaign, question_count=5, attempts_policy="total", max_attempts=3)
    sheet_users, own_user = _people(4), _people(1, prefix="1383")[0]
    for user in [*sheet_users, own_user]:
        attempt, _ = taking.start_attempt(quiz, user=user)
        Attempt.objects.filter(pk=attempt.pk).update(address="10.0.0.9")
        keys = taking.answer_keys(attempt.question_ids())
        # The same wrong option of every question from a shared answer sheet; the last person
        # answers on their own (another wrong option of the first question).
        wrong = {
            str(q): [min(o for o in opts if o not in keys[int(q)])] for q, opts, _m in attempt.paper
        }
        if user == own_user:
            first = str(attempt.paper[0][0])
            wrong[first] = [max(o for o in attempt.paper[0][1] if o not in keys[int(first)])]
        taking.submit_attempt(attempt, user=user, answers=wrong)
    fast_one = _people(1, prefix="1382")[0]
    attempt, _ = take(quiz, fast_one)  # every answer right, in no time
    report = selectors.suspicious(quiz)
    assert [a.pk for a in report.fast] == [attempt.pk]
    assert [(address, n) for address, _hour, n in report.bursts] == [("10.0.0.9", 5)]
    sheet = Attempt.objects.get(user=sheet_users[0]).fingerprint
    assert [(f, n) for f, n, _names in report.shared_answers] == [(sheet, 4)]
    assert all("*" in name for name in report.shared_answers[0][2])  # names masked


# --- the question bank as XLSX -------------------------------------------------------------


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([importing.heading(f, h) for f, h, _r, _h in importing.COLUMNS])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "questions.xlsx"
    return data


GOOD = ["single", "zh-hans", "防疫知识", "easy", "戴口罩时哪一面朝外?", "深色面", "浅色面",
        "", "", "", "", "A", "一般深色面朝外。"]  # fmt: skip


def test_an_import_with_bad_rows_lists_each_row_and_reason_and_imports_nothing(tree):
    bad_kind = ["essay", *GOOD[1:]]
    bad_answer = [*GOOD[:11], "D", GOOD[12]]
    tf = ["判断", "vi", "", "", "Rửa tay thường xuyên giúp phòng bệnh.", "", "", "", "", "", "",
          "đúng", ""]  # fmt: skip
    upload = _xlsx([GOOD, bad_kind, tf, bad_answer])
    with pytest.raises(services.ImportRejected) as exc:
        services.import_questions(upload, actor=tree.admin, organisation=tree.city)
    assert [number for number, _reason in exc.value.errors] == [3, 5]
    assert "Kind: unknown value “essay”." in exc.value.errors[0][1]
    assert "Correct answer: unknown value “D”." in exc.value.errors[1][1]
    assert not Question.objects.exists()
    upload = _xlsx([GOOD, tf])
    created = services.import_questions(upload, actor=tree.admin, organisation=tree.city)
    assert [(q.kind, q.language) for q in created] == [("single", "zh-hans"), ("truefalse", "vi")]
    assert created[1].correct == [created[1].options[0]["id"]]
    assert AuditEntry.objects.filter(action="quizzes.question.imported").count() == 1


def test_a_file_that_is_not_xlsx_is_refused_as_a_whole(tree):
    upload = io.BytesIO(b"stem,options\n")
    upload.name = "questions.xlsx"
    with pytest.raises(DomainError) as exc:
        services.import_questions(upload, actor=tree.admin, organisation=tree.city)
    assert exc.value.errors == [
        (0, "This is not an XLSX file. Download the template and fill it in.")
    ]


def test_an_exported_bank_imports_again_unchanged(tree):
    bank(tree, count=4)
    target = io.BytesIO()
    importing.write_export(target, Question.objects.order_by("pk"))
    target.seek(0)
    sheet = load_workbook(target).worksheets[0]
    rows = [list(r)[: len(importing.COLUMNS)] for r in sheet.iter_rows(min_row=2, values_only=True)]
    upload = _xlsx(rows)
    created = services.import_questions(upload, actor=tree.admin, organisation=tree.county)
    originals = list(Question.objects.filter(organisation=tree.city).order_by("pk"))
    for old, new in zip(originals, created, strict=True):
        assert (new.stem, new.kind, new.topic, new.difficulty) == (
            old.stem, old.kind, old.topic, old.difficulty
        )  # fmt: skip
        old_right = [o["text"] for o in old.options if o["id"] in old.correct]
        assert [o["text"] for o in new.options if o["id"] in new.correct] == old_right


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "vi", "en"])
def test_the_template_comes_in_each_language(language, tree, client):
    client.force_login(tree.admin)
    response = client.get(f"/en/work/quizzes/questions/import/template/?language={language}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    headings = [c.value for c in next(sheet.iter_rows(max_row=1))]
    expected = {"zh-hans": "题目", "zh-hant": "題目", "vi": "Câu hỏi", "en": "Question"}
    assert expected[language] in headings
