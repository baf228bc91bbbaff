"""Builders shared by the quiz tests and the route × role matrix."""

import datetime as dt
import json

from django.utils import timezone

from kepu.accounts.models import ApiToken
from kepu.quizzes import services, taking
from kepu.quizzes.models import Question

TOPICS = ["防疫知识", "个人防护"]


def bank(tree, *, count: int = 12, language: str = "zh-hans", organisation=None):
    """``count`` questions in the city's bank: single choice (the first option right), every
    third one multiple choice (first two right), alternating topics and difficulties."""
    organisation = organisation or tree.city
    questions = []
    for n in range(count):
        multiple = n % 3 == 2
        questions.append(
            services.create_question(
                organisation,
                actor=tree.admin,
                kind="multiple" if multiple else "single",
                language=language,
                stem=f"第{n + 1}题:新冠肺炎的主要传播途径是什么?",
                options=[f"选项{n}-甲", f"选项{n}-乙", f"选项{n}-丙", f"选项{n}-丁"],
                correct=[0, 1] if multiple else [0],
                explanation=f"解析{n + 1}:经呼吸道飞沫和密切接触传播。",
                topic=TOPICS[n % 2],
                difficulty=1 + n % 3,
            )
        )
    return questions


def open_quiz(tree, campaign, *, publish: bool = True, **overrides):
    now = timezone.now()
    fields = dict(
        title="防疫知识网上有奖竞答",
        rules="每人限答一次。",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        question_count=5,
        languages=["zh-hans"],
        time_limit_seconds=600,
        pass_mark=60,
        prize_threshold=80,
    )
    fields.update(overrides)
    quiz = services.create_quiz(campaign, actor=tree.admin, organisation=tree.city, **fields)
    if publish:
        quiz = services.publish_quiz(quiz, actor=tree.admin)
    return quiz


def right_answers(attempt) -> dict:
    """The correct answers of an attempt's paper, read from the bank (as a test may)."""
    keys = dict(Question.objects.filter(pk__in=attempt.question_ids()).values_list("pk", "correct"))
    return {str(qid): keys[qid] for qid in attempt.question_ids()}


def take(quiz, user, *, right: int | None = None, **start):
    """Start, answer (the first ``right`` questions right, the others wrong) and submit."""
    attempt, _resumed = taking.start_attempt(quiz, user=user, **start)
    keys = right_answers(attempt)
    answers = {}
    for n, (qid, options, _multiple) in enumerate(attempt.paper):
        good = keys[str(qid)]
        if right is None or n < right:
            answers[str(qid)] = good
        else:
            answers[str(qid)] = [next(o for o in options if o not in good)]
    attempt, _replayed, rank = taking.submit_attempt(attempt, user=user, answers=answers)
    return attempt, rank


def matrix_world(world):
    """The quiz objects the route matrix needs, built once per world: a published quiz of the
    city drawing on its bank, a question of it, and the public user's submitted attempt."""
    cached = getattr(world, "_quizzes", None)
    if cached is None:
        questions = bank(world.tree, count=6)
        quiz = open_quiz(world.tree, world.campaign, prize_threshold=0)
        attempt, _rank = take(quiz, world.tree.public)
        services.commit_draw(quiz, actor=world.tree.admin, winners_count=1)
        cached = {"quiz": quiz, "question": questions[0], "attempt": attempt}
        world._quizzes = cached
    return cached


def matrix_kwargs(name: str):
    """KWARGS functions for the route matrix, by route name."""

    def kwargs(world):
        objects = matrix_world(world)
        if name.startswith("quizzes:work-question-") and name.endswith(("edit", "retire")):
            return {"pk": objects["question"].pk}
        if name.startswith("quizzes:work-question-"):
            return {}
        if name in ("quizzes:work-quiz-list", "quizzes:work-quiz-create"):
            return {"pk": world.campaign.pk}
        if name.startswith("quizzes:attempt-") and name != "quizzes:attempt-start":
            return {"public_id": objects["attempt"].public_id}
        return {"pk": objects["quiz"].pk}

    return kwargs


def api_values(world) -> dict[str, str]:
    """Path parameters of the quiz API operations for the route matrix."""
    objects = matrix_world(world)
    return {
        "{quiz_id}": str(objects["quiz"].pk),
        "{attempt_id}": str(objects["attempt"].public_id),
    }


def api_caller(client, user):
    """``call(method, path, body=None, **headers)``: the API as ``user``, with a token of theirs
    and a JSON body."""
    _token, key = ApiToken.issue(user, name="test")

    def call(method, path, body=None, **headers):
        return client.generic(
            method,
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}", **headers},
        )

    return call
