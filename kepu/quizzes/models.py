"""Knowledge quizzes (网络知识竞赛 / 有奖竞答): question banks, quizzes, attempts with their
frozen papers, the best score per person (the leaderboard's rows) and auditable prize draws.

A question that a published quiz may draw is never changed in place: editing it writes a new
question and retires the old one (``replaced_by``), so every past paper keeps pointing to the
text and key it was scored against.
"""

import secrets
import uuid
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepu.campaigns.models import Campaign
from kepu.core.models import TimeStamped
from kepu.organisations.models import Organisation, Region
from kepu.organisations.scoping import ScopedQuerySet

LANGUAGES = [(code, name) for code, name in settings.LANGUAGES]


def new_option_id() -> str:
    """Option ids are random, so that an id never tells which option was written first."""
    return secrets.token_hex(3)


class QuestionQuerySet(ScopedQuerySet):
    scope_field = "organisation"

    def current(self):
        return self.filter(is_retired=False)


class Question(TimeStamped):
    """One question of an organisation's bank, in one language.

    ``options`` is a list of ``{"id": str, "text": str}``; ``correct`` the list of the correct
    options' ids (one for single choice and true/false, one or more for multiple choice).
    """

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        TRUE_FALSE = "truefalse", _("true or false")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("easy")
        MEDIUM = 2, _("medium")
        HARD = 3, _("hard")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="quiz_questions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGES)
    stem = models.TextField(_("question"), max_length=1000)
    options = models.JSONField(_("options"), default=list)
    correct = models.JSONField(_("correct answer"), default=list)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    is_retired = models.BooleanField(_("retired"), default=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    # Set when a published quiz may draw it: from then on an edit writes a new question.
    is_locked = models.BooleanField(default=False, editable=False)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "topic", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["organisation", "is_retired", "language"])]

    def __str__(self) -> str:
        return self.stem[:60]

    def option_ids(self) -> list[str]:
        return [o["id"] for o in self.options]


class QuizQuerySet(ScopedQuerySet):
    scope_field = "organisation"

    def public(self):
        return self.filter(status=Quiz.Status.PUBLISHED, campaign__is_public=True)


class Quiz(TimeStamped):
    """A quiz of a campaign: its window, timing, paper, attempts policy, who may take it,
    whether answers are shown afterwards, practice mode and the prize threshold."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    class Attempts(models.TextChoices):
        ONCE = "once", _("once")
        TOTAL = "total", _("a number of times")
        PER_DAY = "per_day", _("a number of times a day")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="quizzes"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="quizzes",
        help_text=_("Its question bank supplies the questions."),
    )
    title = models.CharField(_("title"), max_length=200)
    rules = models.TextField(_("rules"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    time_limit_seconds = models.PositiveIntegerField(
        _("time limit per attempt (seconds)"), null=True, blank=True
    )
    seconds_per_question = models.PositiveIntegerField(
        _("time limit per question (seconds)"), null=True, blank=True
    )
    question_count = models.PositiveSmallIntegerField(
        _("number of questions"), default=10, validators=[MinValueValidator(1)]
    )
    # [{"topic": "", "difficulty": null, "count": 5}, ...]; empty: any question of the bank.
    mix = models.JSONField(_("mix by topic and difficulty"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    attempts_policy = models.CharField(
        _("attempts allowed"), max_length=10, choices=Attempts.choices, default=Attempts.ONCE
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("number of attempts"), default=1, validators=[MinValueValidator(1)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (score out of 100)"), default=60, validators=[MaxValueValidator(100)]
    )
    eligible_regions = models.ManyToManyField(
        Region, verbose_name=_("only people of these regions"), blank=True, related_name="+"
    )
    eligible_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("only people of these organisations"),
        blank=True,
        related_name="+",
    )
    show_answers = models.BooleanField(
        _("show answers and explanations after submitting"), default=True
    )
    is_practice = models.BooleanField(_("practice mode (not scored)"), default=False)
    prize_threshold = models.PositiveSmallIntegerField(
        _("score that earns a chance in the prize draw"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    # Frozen when the quiz is published: {language: [question ids]}.
    pool = models.JSONField(default=dict, editable=False)
    # Redis missed a write: the leaderboard is rebuilt from the database before it is read.
    leaderboard_stale = models.BooleanField(default=False, editable=False)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "id"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="quiz_window_order"
            ),
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_max"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The quiz must close after it opens.")})

    @property
    def is_paced(self) -> bool:
        """A time limit per question: one question at a time, each with its own countdown,
        and no going back (kepu.quizzes.pacing)."""
        return bool(self.seconds_per_question)

    @property
    def time_limit(self) -> int | None:
        """Seconds an attempt may last: per attempt, or per question times the questions."""
        if self.time_limit_seconds:
            return self.time_limit_seconds
        if self.seconds_per_question:
            return self.seconds_per_question * self.question_count
        return None

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    @cached_property
    def is_restricted(self) -> bool:
        """Only for people of given regions or organisations. Kept on the instance once read
        (the surge's quizzes come from memory with it read: selectors.quiz_by_id); an instance
        whose eligible regions or organisations are changed is read again, not reused."""
        return bool(self.eligible_region_ids or self.eligible_organisation_ids)

    @property
    def eligible_region_ids(self) -> list[int]:
        return [r.pk for r in self.eligible_regions.all()]

    @property
    def eligible_organisation_ids(self) -> list[int]:
        return [o.pk for o in self.eligible_organisations.all()]

    @property
    def has_prizes(self) -> bool:
        return self.prize_threshold is not None and not self.is_practice


class AttemptQuerySet(ScopedQuerySet):
    scope_field = "quiz__organisation"

    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Attempt(models.Model):
    """One go at a quiz: the frozen paper (question ids and each one's option order), the
    answers saved as the person goes, and once submitted its score."""

    # Indexes are few on purpose: saving answers and submitting change no indexed column, so
    # PostgreSQL updates the row in place (HOT) instead of writing every index again. The quiz
    # is the first column of the unique constraint; a region or organisation is removed rarely.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    # The database enforces the attempts policy: "1".."N", or "<day>#1".."<day>#N" for a daily
    # allowance; practice attempts get a unique slot of their own.
    slot = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # [[question id, [option ids in the order shown]], ...]
    paper = models.JSONField(default=list)
    # {"<question id>": [option ids]}
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # Paced quizzes only: the question shown (its index in the paper; the paper's length once
    # none is left) and the moment its time is up, as last written (kepu.quizzes.pacing).
    current_index = models.PositiveSmallIntegerField(default=0)
    question_deadline_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The answers given, question by question (sorted by question id), as a hash: the same
    # wrong answers from many accounts point to shared answer sheets.
    fingerprint = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=64, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "slot"], name="attempt_slot_once")
        ]
        indexes = [models.Index(fields=["quiz", "address"])]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.user_id}/{self.slot}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def question_ids(self) -> list[int]:
        return [int(item[0]) for item in self.paper]


class BestQuerySet(ScopedQuerySet):
    scope_field = "quiz__organisation"


class Best(models.Model):
    """A person's best scored attempt of a quiz: one leaderboard row, one prize-draw entry.

    ``sort_key`` orders the leaderboard (lower is better) by score, then time taken, then
    submission time; the same number is the member's score in the Redis sorted sets, so that
    the database and Redis give the same order (ties broken by the person's id in both).
    """

    # Every first submission inserts a row here: only the indexes the leaderboards read (and
    # the person's, for deleting their data) are kept; the quiz leads all of them.
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="bests", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+", db_index=False)
    score = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    sort_key = models.BigIntegerField()
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    objects = BestQuerySet.as_manager()

    class Meta:
        verbose_name = _("leaderboard entry")
        verbose_name_plural = _("leaderboard")
        constraints = [models.UniqueConstraint(fields=["quiz", "user"], name="best_once")]
        indexes = [
            models.Index(fields=["quiz", "sort_key", "user"]),
            models.Index(fields=["quiz", "region", "sort_key", "user"]),
            models.Index(fields=["quiz", "organisation", "sort_key", "user"]),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.user_id}: {self.score}"


class PrizeDrawQuerySet(ScopedQuerySet):
    scope_field = "quiz__organisation"


class PrizeDraw(TimeStamped):
    """A verifiable draw: the commitment (SHA-256 of a secret seed) is published before the
    draw; afterwards the seed, the sorted eligible entry ids and the winners are published,
    and anyone can re-run ``kepu.quizzes.draw.draw_winners`` to get the same winners."""

    quiz = models.OneToOneField(Quiz, on_delete=models.CASCADE, related_name="prize_draw")
    winners_count = models.PositiveSmallIntegerField(
        _("number of winners"), validators=[MinValueValidator(1)]
    )
    commitment = models.CharField(max_length=64)
    seed = models.CharField(max_length=64)  # secret until drawn_at
    committed_at = models.DateTimeField()
    drawn_at = models.DateTimeField(null=True, blank=True)
    entries = models.JSONField(default=list)  # sorted eligible entry ids (Best ids)
    winners = models.JSONField(default=list)  # entry ids in the order drawn

    objects = PrizeDrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("prize draw")
        verbose_name_plural = _("prize draws")

    def __str__(self) -> str:
        return f"{self.quiz} · {self.commitment[:12]}"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def revealed_seed(self) -> str:
        return self.seed if self.is_drawn else ""
