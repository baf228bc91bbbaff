"""Public quiz pages: the landing page with the rules, taking (one question a page, or the whole
paper in one form; a paced quiz shows only the question whose time is running; JavaScript only
adds autosave and a live timer), the result, leaderboards and the draw's verification page.
The correct answers are rendered only on the result page of a submitted attempt of a quiz that
shows them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kepu.core.errors import DomainError
from kepu.core.ratelimit import client_address

from . import draw, pacing, selectors, taking
from .forms import StartForm
from .models import Attempt, Quiz


def _start_form(quiz: Quiz, data=None) -> StartForm:
    return StartForm(
        data,
        regions=selectors.region_choices(quiz),
        organisations=selectors.organisation_choices(quiz),
    )


def _landing(request, quiz: Quiz, form=None, status=200):
    attempts = selectors.attempts_of(request.user, quiz)
    form = form or (_start_form(quiz) if request.user.is_authenticated else None)
    first = min(attempts, key=lambda a: (a.started_at, a.pk)) if attempts else None
    used_up = taking.why_no_start(quiz, attempts, timezone.now()) if form is not None else ""
    if form is not None and first is not None:
        # A later attempt keeps the region and organisation of the first (taking.start_attempt):
        # the form does not ask again, the page says which they are.
        form.fields.pop("region", None)
        form.fields.pop("organisation", None)
    return render(
        request,
        "quizzes/public/quiz_detail.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "tz": quiz.campaign.tz,
            "is_open": quiz.is_open(),
            "not_yet": timezone.now() < quiz.opens_at,
            "form": form,
            "first_attempt": first,
            "used_up": used_up,
            "attempts": attempts,
            "regions": list(quiz.eligible_regions.all()),
            "organisations": list(quiz.eligible_organisations.all()),
            "prize_draw": selectors.prize_draw_of(quiz),
        },
        status=status,
    )


@never_cache
def quiz_detail(request, pk):
    return _landing(request, selectors.public_quiz_or_404(pk))


@login_required
@require_POST
def attempt_start(request, pk):
    quiz = selectors.public_quiz_or_404(pk)
    form = _start_form(quiz, request.POST)
    if not form.is_valid():
        return _landing(request, quiz, form, status=400)
    try:
        attempt, resumed = taking.start_attempt(
            quiz,
            user=request.user,
            language=get_language(),
            region=form.cleaned_data.get("region"),
            organisation=form.cleaned_data.get("organisation"),
            address=client_address(request),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _landing(request, quiz, form, status=exc.status)
    if resumed:
        messages.info(request, _("You are continuing the attempt you started."))
    return redirect("quizzes:attempt-take", public_id=attempt.public_id)


def _posted_answers(request, attempt: Attempt) -> dict:
    """Answers of the questions the form showed (a question shown and left empty is cleared)."""
    shown = {str(q) for q in attempt.question_ids()} & set(request.POST.getlist("shown"))
    return {qid: request.POST.getlist(f"q{qid}") for qid in shown}


def _finish_if_time_is_up(request, attempt: Attempt):
    """Redirect to the result of a submitted attempt, or of one whose time is up (scored
    now), or of a paced one with no question left to show."""
    if attempt.is_submitted:
        return redirect("quizzes:attempt-result", public_id=attempt.public_id)
    now = timezone.now()
    none_left = attempt.quiz.is_paced and pacing.position(attempt, now).index >= len(attempt.paper)
    if none_left or taking.time_is_up(attempt, now):
        taking.submit_attempt(attempt, user=request.user)
        messages.info(request, _("Time is up. Your attempt was scored as it stood."))
        return redirect("quizzes:attempt-result", public_id=attempt.public_id)
    return None


def _number(value, count: int) -> int:
    try:
        return min(max(int(value), 1), count)
    except (TypeError, ValueError):
        return 1


def _take_url(attempt: Attempt, query: str = "") -> str:
    url = reverse("quizzes:attempt-take", kwargs={"public_id": attempt.public_id})
    return f"{url}?{query}" if query else url


def _take_paced(request, attempt: Attempt):
    """A paced quiz: the question whose time is running, alone, with its own countdown. Next
    saves its answer and opens the next question; there is no going back."""
    count = len(attempt.paper)
    error = ""
    if request.method == "POST":
        shown = _posted_answers(request, attempt)
        finished = next(iter(shown), None)
        try:
            if request.POST.get("go") == "submit":
                taking.submit_attempt(attempt, user=request.user, answers=shown)
                return redirect("quizzes:attempt-result", public_id=attempt.public_id)
            taking.save_answers(attempt, user=request.user, answers=shown, finished=finished)
        except DomainError as exc:
            if exc.code == "question_closed":  # its time ran out before the answer came
                messages.warning(request, exc.message)
                return redirect(_take_url(attempt))
            error = exc.message
        else:
            return redirect(_take_url(attempt))
        # The row as it is now (another window may have moved on), then the page for it.
        attempt = selectors.own_attempt_or_404(request.user, attempt.public_id)
        if (done := _finish_if_time_is_up(request, attempt)) is not None:
            return done
    questions = selectors.paper(attempt)
    current = selectors.current_question(attempt, questions)
    if current.question is None:  # the last question's time ran out a moment ago
        return _finish_if_time_is_up(request, attempt) or redirect(_take_url(attempt))
    left = current.seconds_left
    return render(
        request,
        "quizzes/public/take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": questions,
            "shown": [current.question],
            "paced": True,
            "whole": False,
            "number": current.index + 1,
            "count": count,
            "answered": sum(1 for q in questions if q.answered),
            "seconds_left": left,
            "time_left": f"{left // 60}:{left % 60:02d}",
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@never_cache
def attempt_take(request, public_id):
    attempt = selectors.own_attempt_or_404(request.user, public_id)
    if (done := _finish_if_time_is_up(request, attempt)) is not None:
        return done
    if attempt.quiz.is_paced:
        return _take_paced(request, attempt)
    count = len(attempt.paper)
    whole = request.GET.get("all") == "1"
    number = _number(request.GET.get("q"), count)
    error = ""
    if request.method == "POST":
        go = request.POST.get("go", "next")
        try:
            if go == "submit":
                taking.submit_attempt(
                    attempt, user=request.user, answers=_posted_answers(request, attempt)
                )
                return redirect("quizzes:attempt-result", public_id=attempt.public_id)
            taking.save_answers(
                attempt, user=request.user, answers=_posted_answers(request, attempt)
            )
        except DomainError as exc:
            error = exc.message
        else:
            current = _number(request.POST.get("number"), count)
            target = {"prev": current - 1, "next": current + 1}.get(go) or _number(go, count)
            return redirect(_take_url(attempt, f"q={min(max(target, 1), count)}"))
    questions = selectors.paper(attempt)
    left = selectors.seconds_left(attempt)
    shown = questions if whole else [questions[number - 1]]
    return render(
        request,
        "quizzes/public/take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": questions,
            "shown": shown,
            "whole": whole,
            "number": number,
            "count": count,
            "answered": sum(1 for q in questions if q.answered),
            "seconds_left": left,
            "time_left": f"{left // 60}:{left % 60:02d}",
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def attempt_save(request, public_id):
    """Autosave from the taking page's script: the same form fields, a JSON answer."""
    attempt = selectors.own_attempt_or_404(request.user, public_id)
    try:
        saved = taking.save_answers(
            attempt, user=request.user, answers=_posted_answers(request, attempt)
        )
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse(
        {
            "saved": True,
            "answered": sum(1 for v in saved.answers.values() if v),
            "seconds_left": selectors.seconds_left(saved),
        }
    )


@login_required
@require_POST
def attempt_submit(request, public_id):
    attempt = selectors.own_attempt_or_404(request.user, public_id)
    try:
        taking.submit_attempt(attempt, user=request.user, answers=_posted_answers(request, attempt))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:attempt-take", public_id=attempt.public_id)
    return redirect("quizzes:attempt-result", public_id=attempt.public_id)


@login_required
@never_cache
def attempt_result(request, public_id):
    attempt = selectors.own_attempt_or_404(request.user, public_id)
    if not attempt.is_submitted:
        if _finish_if_time_is_up(request, attempt) is None:
            return redirect("quizzes:attempt-take", public_id=attempt.public_id)
        attempt = selectors.own_attempt_or_404(request.user, public_id)
    quiz = attempt.quiz
    reveal = selectors.may_reveal(attempt)
    rank = None
    if not quiz.is_practice:
        rank = selectors.leaderboard.rank_of(quiz, request.user.pk)
    return render(
        request,
        "quizzes/public/result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "rank": rank,
            "passed": attempt.score is not None and attempt.score >= quiz.pass_mark,
            "questions": selectors.paper(attempt, reveal=True) if reveal else [],
            "reveal": reveal,
            "prize_chance": quiz.has_prizes and (attempt.score or 0) >= quiz.prize_threshold,
        },
    )


def quiz_leaderboard(request, pk):
    quiz = selectors.public_quiz_or_404(pk)
    scope = request.GET.get("scope", "all")
    try:
        ident = int(request.GET.get("id", ""))
    except ValueError:
        ident = None
    if scope not in ("region", "organisation") or ident is None:
        scope, ident = "all", None
    rows, _source = selectors.leaderboard_rows(quiz, scope=scope, ident=ident, limit=100)
    regions, organisations = selectors.leaderboard_scopes(quiz)
    return render(
        request,
        "quizzes/public/leaderboard.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "rows": rows,
            "scope": scope,
            "ident": ident,
            "regions": regions,
            "organisations": organisations,
        },
    )


def quiz_draw(request, pk):
    quiz = selectors.public_quiz_or_404(pk)
    prize_draw = selectors.prize_draw_of(quiz)
    check = None
    if prize_draw is not None and prize_draw.is_drawn:
        rerun = draw.draw_winners(prize_draw.seed, prize_draw.entries, prize_draw.winners_count)
        check = {
            "commitment_ok": draw.commitment_of(prize_draw.seed) == prize_draw.commitment,
            "winners_ok": rerun == prize_draw.winners,
            "rerun": rerun,
        }
    return render(
        request,
        "quizzes/public/draw.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "tz": quiz.campaign.tz,
            "prize_draw": prize_draw,
            "check": check,
            "winners": selectors.winners(prize_draw) if prize_draw else [],
            "algorithm": draw.ALGORITHM_PYTHON,
        },
    )
