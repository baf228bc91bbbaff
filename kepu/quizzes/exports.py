"""Export kinds of quizzes: participation by region or by day, and the leaderboard (names and
phone numbers masked). Params: quiz (id), by ("region" or "day")."""

from django.utils.translation import gettext as _

from kepu.core.errors import NotFound
from kepu.core.text import mask_phone
from kepu.exports.registry import ExportKind

from . import selectors
from .models import Best, Quiz

PERM = "quizzes.manage"


def _quiz(user, params: dict) -> Quiz:
    try:
        pk = int(params.get("quiz"))
    except (TypeError, ValueError):
        pk = 0
    quiz = Quiz.objects.for_user(user, PERM).select_related("campaign").filter(pk=pk).first()
    if quiz is None:
        raise NotFound("not_found", _("There is no such quiz."))
    return quiz


def _by_day(params: dict) -> bool:
    return params.get("by") == "day"


def participation_columns(params: dict) -> list[str]:
    first = _("Day") if _by_day(params) else _("Region")
    return [first, _("Attempts"), _("People")]


def participation_rows(user, params: dict):
    stats = selectors.participation(_quiz(user, params))
    if _by_day(params):
        for day, n, people in stats.by_day:
            yield [day, n, people]
    else:
        for name, n, people in stats.by_region:
            yield [name, n, people]


def participation_count(user, params: dict) -> int:
    _quiz(user, params)  # NotFound before any heading is written
    return 0


def leaderboard_columns(params: dict) -> list[str]:
    return [_("Rank"), _("Name"), _("Phone number"), _("Score"), _("Time taken (s)"),
            _("Region"), _("School or organisation")]  # fmt: skip


def leaderboard_rows(user, params: dict):
    quiz = _quiz(user, params)
    rows = (
        Best.objects.filter(quiz=quiz)
        .order_by("sort_key", "user_id")
        .values_list(
            "user__name",
            "user__phone",
            "score",
            "duration_ms",
            "region__name",
            "organisation__name",
        )  # fmt: skip
    )
    for rank, (name, phone, score, duration, region, org) in enumerate(
        rows.iterator(chunk_size=2000), start=1
    ):
        yield [rank, name, mask_phone(phone), score, round(duration / 1000, 1), region or "",
               org or ""]  # fmt: skip


def leaderboard_count(user, params: dict) -> int:
    return Best.objects.filter(quiz=_quiz(user, params)).count()


PARTICIPATION = ExportKind(
    name="quiz-participation",
    title=lambda: _("Quiz participation"),
    permission=PERM,
    columns=participation_columns,
    rows=participation_rows,
    count=participation_count,
)
LEADERBOARD = ExportKind(
    name="quiz-leaderboard",
    title=lambda: _("Quiz leaderboard"),
    permission=PERM,
    columns=leaderboard_columns,
    rows=leaderboard_rows,
    count=leaderboard_count,
)
