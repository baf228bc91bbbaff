"""Quiz services for staff: the question bank (create, edit, retire, import), quizzes (create,
edit, publish) and the prize draw (commit, draw). Taking a quiz is in ``taking``.

Every function checks ``quizzes.manage`` through kepu.organisations.scoping, runs in one
transaction, writes an audit entry ("quizzes.…") and raises DomainError codes.
"""

import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kepu.accounts.models import User
from kepu.campaigns.models import Campaign
from kepu.core import cache as page_cache
from kepu.core.audit import log_action, snapshot
from kepu.core.errors import Conflict, DomainError, NotFound
from kepu.organisations import scoping
from kepu.organisations.models import Organisation, Region

from . import draw
from .models import Attempt, Best, PrizeDraw, Question, Quiz, new_option_id
from .taking import pick_questions, pool_entry

PERM = "quizzes.manage"
Kind = Question.Kind
MAX_OPTIONS = 8
QUESTION_FIELDS = ["kind", "language", "stem", "options", "correct", "explanation", "topic",
                   "difficulty", "is_retired"]  # fmt: skip
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


# --- Questions ---------------------------------------------------------------------------------


def true_false_options(language: str) -> list[str]:
    with translation.override(language):
        return [_("True"), _("False")]


def clean_question(
    *,
    kind: str,
    language: str,
    stem: str,
    options: list[str],
    correct: list[int],
    explanation: str = "",
    topic: str = "",
    difficulty: int = 2,
) -> dict:
    """The question's fields, checked; ``correct`` gives positions in ``options`` (from 0).

    Raises DomainError("invalid") with the reason.
    """
    stem, topic = (stem or "").strip(), (topic or "").strip()
    if kind not in Kind.values:
        raise DomainError("invalid", _("Choose single choice, multiple choice or true or false."))
    if language not in LANGUAGE_CODES:
        raise DomainError("invalid", _("Choose one of the four languages."))
    if not stem:
        raise DomainError("invalid", _("Write the question."))
    if len(stem) > 1000 or len(topic) > 60 or len(explanation or "") > 2000:
        raise DomainError("invalid", _("The question, topic or explanation is too long."))
    if kind == Kind.TRUE_FALSE:
        options = true_false_options(language)
    options = [(o or "").strip() for o in options if (o or "").strip()]
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise DomainError("invalid", _("Give from 2 to %(max)d options.") % {"max": MAX_OPTIONS})
    if any(len(o) > 300 for o in options):
        raise DomainError("invalid", _("An option is longer than 300 characters."))
    correct = sorted({int(c) for c in correct})
    if not correct or any(not 0 <= c < len(options) for c in correct):
        raise DomainError("invalid", _("Mark the correct answer among the options."))
    if kind != Kind.MULTIPLE and len(correct) != 1:
        raise DomainError("invalid", _("This kind of question has exactly one correct answer."))
    if int(difficulty) not in Question.Difficulty.values:
        raise DomainError("invalid", _("Choose easy, medium or hard."))
    with_ids = [{"id": new_option_id(), "text": text} for text in options]
    while len({o["id"] for o in with_ids}) < len(with_ids):  # a 1 in 16 million clash
        with_ids = [{"id": new_option_id(), "text": text} for text in options]
    return {
        "kind": kind,
        "language": language,
        "stem": stem,
        "options": with_ids,
        "correct": [with_ids[c]["id"] for c in correct],
        "explanation": (explanation or "").strip(),
        "topic": topic,
        "difficulty": int(difficulty),
    }


def _audit(action: str, obj, actor: User, organisation: Organisation, **kwargs) -> None:
    log_action(f"quizzes.{action}", obj, actor=actor, organisation=organisation, **kwargs)


@transaction.atomic
def create_question(organisation: Organisation, *, actor: User, **fields) -> Question:
    """A new question in the organisation's bank. Raises Forbidden, DomainError("invalid")."""
    scoping.require(actor, PERM, organisation)
    question = Question.objects.create(organisation=organisation, **clean_question(**fields))
    _audit("question.created", question, actor, organisation, after=snapshot(question))
    return question


def _same_content(question: Question, cleaned: dict) -> bool:
    texts = [o["text"] for o in question.options]
    correct = sorted(
        texts[i] for i, o in enumerate(question.options) if o["id"] in question.correct
    )
    new_texts = [o["text"] for o in cleaned["options"]]
    new_correct = sorted(
        new_texts[i] for i, o in enumerate(cleaned["options"]) if o["id"] in cleaned["correct"]
    )
    return (
        texts == new_texts
        and correct == new_correct
        and all(getattr(question, f) == cleaned[f] for f in ("kind", "language", "stem"))
    )


@transaction.atomic
def edit_question(question: Question, *, actor: User, **fields) -> Question:
    """Change a question. A question a published quiz may draw is not changed in place: a new
    question takes its place in those quizzes' pools and the old one is retired, so that past
    papers keep the text they were scored against. Returns the question now current.

    Raises Forbidden, DomainError("invalid"), Conflict("retired").
    """
    scoping.require(actor, PERM, question.organisation)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.is_retired:
        raise Conflict("retired", _("A retired question cannot be edited."))
    cleaned = clean_question(**fields)
    before = snapshot(question, QUESTION_FIELDS)
    if _same_content(question, cleaned):
        # Only the topic, difficulty or explanation changed: option ids stay as they are.
        cleaned.pop("options"), cleaned.pop("correct")
    if not question.is_locked or "options" not in cleaned:
        for name, value in cleaned.items():
            setattr(question, name, value)
        question.save()
        _audit("question.edited", question, actor, question.organisation, before=before,
               after=snapshot(question, QUESTION_FIELDS))  # fmt: skip
        return question
    new = Question.objects.create(organisation=question.organisation, **cleaned)
    _retire(question, replaced_by=new)
    _audit("question.replaced", question, actor, question.organisation, before=before,
           after={"replaced_by": new.pk, **snapshot(new, QUESTION_FIELDS)})  # fmt: skip
    return new


def _published_with(question: Question):
    quizzes = Quiz.objects.select_for_update().filter(
        organisation=question.organisation, status=Quiz.Status.PUBLISHED
    )
    for quiz in quizzes:
        if any(e[0] == question.pk for e in quiz.pool.get(question.language, [])):
            yield quiz


def _retire(question: Question, *, replaced_by: Question | None = None) -> None:
    for quiz in _published_with(question):
        entries = [e for e in quiz.pool[question.language] if e[0] != question.pk]
        if replaced_by is not None:
            replaced_by.is_locked = True
            replaced_by.save(update_fields=["is_locked"])
            entries.append(pool_entry(replaced_by))
        elif pick_questions(quiz, entries, random.Random(0)) is None:
            raise Conflict(
                "pool_too_small",
                _("“%(quiz)s” would have too few questions left without this one.")
                % {"quiz": quiz.title},
            )
        quiz.pool = {**quiz.pool, question.language: entries}
        quiz.save(update_fields=["pool", "updated_at"])
    question.is_retired = True
    question.retired_at = timezone.now()
    question.replaced_by = replaced_by
    question.save(update_fields=["is_retired", "retired_at", "replaced_by", "updated_at"])


@transaction.atomic
def retire_question(question: Question, *, actor: User) -> Question:
    """Retire a question: no new paper draws it; past papers keep it.

    Raises Forbidden, Conflict("retired"), Conflict("pool_too_small") when a published quiz
    would be left without enough questions.
    """
    scoping.require(actor, PERM, question.organisation)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.is_retired:
        raise Conflict("retired", _("This question is retired already."))
    _retire(question)
    _audit("question.retired", question, actor, question.organisation,
           after={"is_retired": True})  # fmt: skip
    return question


class ImportRejected(DomainError):
    """Nothing was imported; ``errors`` lists (row number, reason) — row 0 is the file."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(
            "import_rejected",
            _("Nothing was imported. Correct the rows listed and upload the file again."),
        )
        self.errors = errors


@transaction.atomic
def import_questions(upload, *, actor: User, organisation: Organisation) -> list[Question]:
    """Import every question of a filled template into the organisation's bank, or none.

    Raises Forbidden, ImportRejected with every bad row and its reason.
    """
    from .importing import read_rows

    scoping.require(actor, PERM, organisation)
    rows, errors = read_rows(upload)
    if not errors and not rows:
        errors = [(0, _("The file has no questions."))]
    if errors:
        raise ImportRejected(errors)
    created = Question.objects.bulk_create(
        [Question(organisation=organisation, **fields) for _number, fields in rows]
    )
    _audit("question.imported", organisation, actor, organisation,
           after={"count": len(created), "file": getattr(upload, "name", "")})  # fmt: skip
    return created


# --- Quizzes -----------------------------------------------------------------------------------

QUIZ_FIELDS = ["title", "rules", "opens_at", "closes_at", "time_limit_seconds",
               "seconds_per_question", "question_count", "mix", "languages", "attempts_policy",
               "max_attempts", "pass_mark", "show_answers", "is_practice",
               "prize_threshold"]  # fmt: skip
# Fields a published quiz can no longer change: they shape the papers already handed out.
PAPER_FIELDS = {"question_count", "mix", "languages", "is_practice", "attempts_policy",
                "max_attempts", "seconds_per_question"}  # fmt: skip


def clean_mix(mix, question_count: int) -> list[dict]:
    rules = []
    for rule in mix or []:
        count = int(rule.get("count") or 0)
        if count <= 0:
            continue
        difficulty = rule.get("difficulty") or None
        if difficulty is not None and int(difficulty) not in Question.Difficulty.values:
            raise DomainError("invalid", _("Choose easy, medium or hard."))
        rules.append(
            {
                "topic": (rule.get("topic") or "").strip()[:60],
                "difficulty": int(difficulty) if difficulty else None,
                "count": count,
            }
        )
    if rules and sum(r["count"] for r in rules) != question_count:
        raise DomainError(
            "invalid",
            _("The mix adds up to %(sum)d questions; the quiz has %(count)d.")
            % {"sum": sum(r["count"] for r in rules), "count": question_count},
        )
    return rules


def _clean_quiz(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in QUIZ_FIELDS}
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError("invalid", _("Give the quiz a title."))
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    if opens and closes and closes <= opens:
        raise DomainError("invalid", _("The quiz must close after it opens."))
    if "languages" in fields:
        languages = [lang for lang in fields["languages"] if lang in LANGUAGE_CODES]
        if not languages:
            raise DomainError("invalid", _("Choose at least one language."))
        fields["languages"] = languages
    if "question_count" in fields and not 1 <= int(fields["question_count"]) <= 200:
        raise DomainError("invalid", _("A paper has from 1 to 200 questions."))
    if "mix" in fields:
        fields["mix"] = clean_mix(fields["mix"], int(fields.get("question_count") or 0))
    if "pass_mark" in fields and not 0 <= int(fields["pass_mark"]) <= 100:
        raise DomainError("invalid", _("The pass mark is a score from 0 to 100."))
    threshold = fields.get("prize_threshold")
    if threshold is not None and not 0 <= int(threshold) <= 100:
        raise DomainError("invalid", _("The prize threshold is a score from 0 to 100."))
    return fields


def _set_eligibility(quiz: Quiz, regions, organisations) -> None:
    if regions is not None:
        quiz.eligible_regions.set(regions)
    if organisations is not None:
        quiz.eligible_organisations.set(organisations)
    quiz.__dict__.pop("is_restricted", None)  # read again from what was just set


@transaction.atomic
def create_quiz(
    campaign: Campaign,
    *,
    actor: User,
    organisation: Organisation | None = None,
    regions: list[Region] | None = None,
    organisations: list[Organisation] | None = None,
    **fields,
) -> Quiz:
    """A draft quiz of ``campaign``, drawing on ``organisation``'s bank (the campaign's
    organiser by default). Raises Forbidden, DomainError("invalid")."""
    organisation = organisation or campaign.organiser
    scoping.require(actor, PERM, organisation)
    if not (
        organisation.is_within(campaign.organiser) or campaign.organiser.is_within(organisation)
    ):
        raise DomainError("invalid", _("This organisation does not take part in this campaign."))
    fields.setdefault("languages", [campaign.language or settings.LANGUAGE_CODE])
    quiz = Quiz(campaign=campaign, organisation=organisation, **_clean_quiz(fields))
    quiz.save()
    _set_eligibility(quiz, regions, organisations)
    _audit("quiz.created", quiz, actor, organisation, after=snapshot(quiz, QUIZ_FIELDS))
    return quiz


@transaction.atomic
def edit_quiz(
    quiz: Quiz,
    *,
    actor: User,
    regions: list[Region] | None = None,
    organisations: list[Organisation] | None = None,
    **fields,
) -> Quiz:
    """Change a quiz. Once published, what shapes the papers (number of questions, mix,
    languages, practice mode, attempts, time per question) can no longer change. Closing it
    earlier ends the attempts in progress at the new closing time.

    Raises Forbidden, DomainError("invalid"), Conflict("published").
    """
    scoping.require(actor, PERM, quiz.organisation)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    before = snapshot(quiz, QUIZ_FIELDS)
    merged = {**{f: getattr(quiz, f) for f in QUIZ_FIELDS}, **fields}
    cleaned = _clean_quiz(merged)
    if quiz.status == Quiz.Status.PUBLISHED:
        changed = [f for f in PAPER_FIELDS if cleaned.get(f) != getattr(quiz, f)]
        if changed:
            raise Conflict(
                "published",
                _(
                    "The quiz is published: its papers (questions, mix, attempts, time per "
                    "question) cannot change."
                ),
            )
    for name, value in cleaned.items():
        setattr(quiz, name, value)
    quiz.save()
    # Closing earlier ends the attempts running past the new closing time there: nothing
    # they are sent after it counts, as for an attempt started under that closing time.
    Attempt.objects.filter(
        quiz=quiz, submitted_at__isnull=True, deadline_at__gt=quiz.closes_at
    ).update(deadline_at=quiz.closes_at)
    _set_eligibility(quiz, regions, organisations)
    _audit("quiz.edited", quiz, actor, quiz.organisation, before=before,
           after=snapshot(quiz, QUIZ_FIELDS))  # fmt: skip
    page_cache.site_changed()
    return quiz


def build_pool(quiz: Quiz) -> dict[str, list]:
    """The pool of a quiz per language: the current questions of its organisation's bank."""
    pool: dict[str, list] = {}
    questions = Question.objects.current().filter(
        organisation=quiz.organisation, language__in=quiz.languages
    )
    for question in questions.order_by("pk"):
        pool.setdefault(question.language, []).append(pool_entry(question))
    return pool


@transaction.atomic
def publish_quiz(quiz: Quiz, *, actor: User) -> Quiz:
    """Publish a draft quiz: its pool of questions is frozen (and those questions locked), and
    it opens at its opening time.

    Raises Forbidden, Conflict("published"), DomainError("pool_too_small") naming the
    language whose bank cannot supply a paper with the mix.
    """
    scoping.require(actor, PERM, quiz.organisation)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == Quiz.Status.PUBLISHED:
        raise Conflict("published", _("This quiz is published already."))
    pool = build_pool(quiz)
    for language in quiz.languages:
        if pick_questions(quiz, pool.get(language, []), random.Random(0)) is None:
            name = dict(settings.LANGUAGES).get(language, language)
            raise DomainError(
                "pool_too_small",
                _("The question bank has too few current questions in %(language)s for this "
                  "quiz's number of questions and mix.") % {"language": name},
            )  # fmt: skip
    ids = [entry[0] for entries in pool.values() for entry in entries]
    Question.objects.filter(pk__in=ids).update(is_locked=True)
    quiz.pool = pool
    quiz.status = Quiz.Status.PUBLISHED
    quiz.save(update_fields=["pool", "status", "updated_at"])
    _audit("quiz.published", quiz, actor, quiz.organisation,
           after={"status": quiz.status, "questions": len(ids)})  # fmt: skip
    page_cache.site_changed()  # the campaign page links to the quiz from now on
    return quiz


# --- The prize draw ----------------------------------------------------------------------------


@transaction.atomic
def commit_draw(quiz: Quiz, *, actor: User, winners_count: int) -> PrizeDraw:
    """Fix the draw before the quiz closes: a secret seed is generated and its SHA-256 is
    published as the commitment.

    Raises Forbidden, DomainError("no_prizes") for a quiz without prizes, Conflict("committed")
    when already done, Conflict("closed") once the quiz has closed, DomainError("invalid").
    """
    scoping.require(actor, PERM, quiz.organisation)
    if not quiz.has_prizes:
        raise DomainError(
            "no_prizes", _("Set a prize threshold first; practice quizzes have no prizes.")
        )
    if PrizeDraw.objects.filter(quiz=quiz).exists():
        raise Conflict("committed", _("The draw has been committed already."))
    if timezone.now() >= quiz.closes_at:
        raise Conflict("closed", _("The commitment must be published before the quiz closes."))
    if not 1 <= int(winners_count) <= 10_000:
        raise DomainError("invalid", _("Draw from 1 to 10,000 winners."))
    seed = draw.new_seed()
    prize_draw = PrizeDraw.objects.create(
        quiz=quiz,
        winners_count=int(winners_count),
        seed=seed,
        commitment=draw.commitment_of(seed),
        committed_at=timezone.now(),
    )
    _audit("draw.committed", prize_draw, actor, quiz.organisation,
           after={"commitment": prize_draw.commitment, "winners_count": winners_count})  # fmt: skip
    return prize_draw


def eligible_entries(quiz: Quiz) -> list[int]:
    """Entry ids of the draw: each person's best row at or above the prize threshold."""
    return sorted(
        Best.objects.filter(quiz=quiz, score__gte=quiz.prize_threshold).values_list("pk", flat=True)
    )


@transaction.atomic
def run_draw(quiz: Quiz, *, actor: User) -> PrizeDraw:
    """Freeze the eligible entries, draw the winners and reveal the seed.

    Raises Forbidden, NotFound("no_draw") before a commitment, Conflict("drawn"),
    Conflict("still_open") before the quiz closes, DomainError("no_entries").
    """
    scoping.require(actor, PERM, quiz.organisation)
    try:
        prize_draw = PrizeDraw.objects.select_for_update().get(quiz=quiz)
    except PrizeDraw.DoesNotExist:
        raise NotFound("no_draw", _("Publish the commitment first.")) from None
    if prize_draw.is_drawn:
        raise Conflict("drawn", _("The draw has taken place already."))
    if timezone.now() < quiz.closes_at:
        raise Conflict("still_open", _("The draw takes place after the quiz closes."))
    entries = eligible_entries(quiz)
    if not entries:
        raise DomainError("no_entries", _("Nobody reached the prize threshold."))
    prize_draw.entries = entries
    prize_draw.winners = draw.draw_winners(prize_draw.seed, entries, prize_draw.winners_count)
    prize_draw.drawn_at = timezone.now()
    prize_draw.save(update_fields=["entries", "winners", "drawn_at", "updated_at"])
    _audit("draw.drawn", prize_draw, actor, quiz.organisation,
           after={"seed": prize_draw.seed, "entries": len(entries),
                  "winners": prize_draw.winners})  # fmt: skip
    return prize_draw


def local_window(campaign: Campaign, days: int = 7) -> tuple[dt.datetime, dt.datetime]:
    """A default window: from the next full hour, ``days`` days long."""
    now = timezone.localtime(timezone.now(), campaign.tz)
    start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return start, start + dt.timedelta(days=days)
