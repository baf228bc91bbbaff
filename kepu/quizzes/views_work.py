"""Workbench pages of quizzes: the question bank, quizzes of a campaign, results and
leaderboards, the suspicious-attempts report, statistics and the prize draw. Thin: fetch
through scoping/selectors, call one service, render."""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepu.core.errors import DomainError
from kepu.core.views import refused, staff_required
from kepu.exports.services import CONTENT_TYPES

from . import importing, selectors, services
from .forms import DrawForm, QuestionFilterForm, QuestionForm, QuestionImportForm, QuizForm

PERM = "quizzes.manage"


def _xlsx(target, name: str) -> FileResponse:
    target.seek(0)
    return FileResponse(
        target, content_type=CONTENT_TYPES["xlsx"], as_attachment=True, filename=name
    )


# --- The question bank -------------------------------------------------------------------------


@staff_required(PERM)
def question_list(request):
    form = QuestionFilterForm(request.GET or None, topics=selectors.topics_for(request.user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    questions = selectors.questions_for(
        request.user,
        q=data.get("q", ""),
        topic=data.get("topic", ""),
        language=data.get("language", ""),
        retired=data.get("retired", False),
    )
    page = Paginator(questions, 50).get_page(request.GET.get("page"))
    return render(request, "quizzes/work/question_list.html", {"form": form, "page": page})


def _question_page(request, form, question=None, status=200):
    return render(
        request,
        "quizzes/work/question_form.html",
        {"form": form, "question": question},
        status=status,
    )


@staff_required(PERM)
def question_create(request):
    organisations = selectors.organisations_for(request.user)
    form = QuestionForm(
        request.POST or None,
        organisations=organisations,
        initial={"language": get_language(), "organisation": organisations.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.create_question(
                form.cleaned_data["organisation"], actor=request.user, **form.service_fields()
            )
        except DomainError as exc:
            if (response := refused(request, exc, form)) is not None:
                return response
        else:
            messages.success(request, _("The question is saved in the bank."))
            return redirect("quizzes:work-question-list")
    return _question_page(request, form, status=400 if form.errors else 200)


@staff_required(PERM)
def question_edit(request, pk):
    question = selectors.managed_question_or_404(request.user, pk)
    form = QuestionForm(
        request.POST or None,
        organisations=selectors.organisations_for(request.user).filter(pk=question.organisation_id),
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            current = services.edit_question(question, actor=request.user, **form.service_fields())
        except DomainError as exc:
            if (response := refused(request, exc, form)) is not None:
                return response
        else:
            if current.pk != question.pk:
                messages.success(
                    request,
                    _("Published quizzes use this question, so it was saved as a new question; "
                      "past papers keep the old one."),
                )  # fmt: skip
            else:
                messages.success(request, _("The question is saved."))
            return redirect("quizzes:work-question-list")
    return _question_page(request, form, question, status=400 if form.errors else 200)


@staff_required(PERM)
@require_POST
def question_retire(request, pk):
    question = selectors.managed_question_or_404(request.user, pk)
    try:
        services.retire_question(question, actor=request.user)
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("The question is retired; past papers keep it."))
    return redirect("quizzes:work-question-list")


@staff_required(PERM)
def question_import(request):
    organisations = selectors.organisations_for(request.user)
    form = QuestionImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=organisations,
    )
    row_errors: list[tuple[int, str]] = []
    if form.is_bound and form.is_valid():
        try:
            created = services.import_questions(
                form.cleaned_data["file"],
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
            )
        except services.ImportRejected as exc:
            form.add_error(None, exc.message)
            row_errors = exc.errors
        except DomainError as exc:
            if (response := refused(request, exc, form)) is not None:
                return response
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s question was imported.",
                    "%(count)s questions were imported.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("quizzes:work-question-list")
    return render(
        request,
        "quizzes/work/question_import.html",
        {"form": form, "row_errors": row_errors, "max_rows": importing.MAX_ROWS},
        status=400 if form.errors else 200,
    )


@staff_required(PERM)
def question_template(request):
    language = request.GET.get("language") or get_language()
    if language not in dict(services.settings.LANGUAGES):
        raise Http404
    target = io.BytesIO()
    with translation.override(language):
        importing.build_template(target)
        name = f"{_('question-import-template')}-{language}.xlsx"
    return _xlsx(target, name)


@staff_required(PERM)
def question_export(request):
    questions = selectors.questions_for(request.user, retired=True)
    target = io.BytesIO()
    importing.write_export(target, questions)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(target, f"{_('questions')}-{stamp}.xlsx")


# --- Quizzes -----------------------------------------------------------------------------------


@staff_required(PERM)
def quiz_list(request, pk):
    campaign = selectors.managed_campaign_or_404(request.user, pk)
    return render(
        request,
        "quizzes/work/quiz_list.html",
        {"campaign": campaign, "quizzes": selectors.quizzes_of(request.user, campaign)},
    )


def _quiz_form_page(request, campaign, form, quiz=None, status=200):
    return render(
        request,
        "quizzes/work/quiz_form.html",
        {"campaign": campaign, "form": form, "quiz": quiz},
        status=status,
    )


@staff_required(PERM)
def quiz_create(request, pk):
    campaign = selectors.managed_campaign_or_404(request.user, pk)
    with timezone.override(campaign.tz):
        start, end = services.local_window(campaign)
        organisations = selectors.organisations_for(request.user)
        form = QuizForm(
            request.POST or None,
            organisations=organisations,
            regions=selectors.eligible_region_choices(campaign),
            initial={
                "opens_at": start,
                "closes_at": end,
                "languages": [campaign.language],
                "organisation": organisations.first(),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                quiz = services.create_quiz(
                    campaign,
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    **form.service_fields(),
                )
            except DomainError as exc:
                if (response := refused(request, exc, form)) is not None:
                    return response
            else:
                messages.success(request, _("The quiz is saved as a draft."))
                return redirect("quizzes:work-quiz-detail", pk=quiz.pk)
        return _quiz_form_page(request, campaign, form, status=400 if form.errors else 200)


@staff_required(PERM)
def quiz_edit(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    with timezone.override(quiz.campaign.tz):
        form = QuizForm(
            request.POST or None,
            organisations=selectors.organisations_for(request.user),
            regions=selectors.eligible_region_choices(quiz.campaign, quiz),
            initial=QuizForm.initial_for(quiz),
        )
        form.fields["organisation"].disabled = True
        if request.method == "POST" and form.is_valid():
            try:
                services.edit_quiz(quiz, actor=request.user, **form.service_fields())
            except DomainError as exc:
                if (response := refused(request, exc, form)) is not None:
                    return response
            else:
                messages.success(request, _("The quiz is saved."))
                return redirect("quizzes:work-quiz-detail", pk=quiz.pk)
        return _quiz_form_page(
            request, quiz.campaign, form, quiz, status=400 if form.errors else 200
        )


def _scope(request) -> tuple[str, int | None]:
    scope = request.GET.get("scope", "all")
    try:
        ident = int(request.GET.get("id", ""))
    except ValueError:
        ident = None
    if scope not in ("region", "organisation") or ident is None:
        return "all", None
    return scope, ident


@staff_required(PERM)
def quiz_detail(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    scope, ident = _scope(request)
    rows, source = selectors.leaderboard_rows(quiz, scope=scope, ident=ident, limit=100)
    regions, organisations = selectors.leaderboard_scopes(quiz)
    return render(
        request,
        "quizzes/work/quiz_detail.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "rows": rows,
            "source": source,
            "scope": scope,
            "ident": ident,
            "regions": regions,
            "organisations": organisations,
            "summary": selectors.results_summary(quiz),
            "prize_draw": selectors.prize_draw_of(quiz),
            "pool_sizes": {lang: len(entries) for lang, entries in quiz.pool.items()},
        },
    )


@staff_required(PERM)
@require_POST
def quiz_publish(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    try:
        services.publish_quiz(quiz, actor=request.user)
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("The quiz is published."))
    return redirect("quizzes:work-quiz-detail", pk=quiz.pk)


@staff_required(PERM)
def quiz_stats(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    stats = selectors.participation(quiz)
    top = max((n for _day, n, _p in stats.by_day), default=0)
    return render(
        request,
        "quizzes/work/quiz_stats.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "stats": stats,
            "days": [
                (day, n, people, round(100 * n / top) if top else 0)
                for day, n, people in stats.by_day
            ],  # fmt: skip
        },
    )


@staff_required(PERM)
def quiz_suspicious(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    return render(
        request,
        "quizzes/work/quiz_suspicious.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "report": selectors.suspicious(quiz),
            "fast_seconds": selectors.fast_seconds(quiz),
        },
    )


def _draw_page(request, quiz, form=None, status=200):
    prize_draw = selectors.prize_draw_of(quiz)
    return render(
        request,
        "quizzes/work/quiz_draw.html",
        {
            "quiz": quiz,
            "campaign": quiz.campaign,
            "prize_draw": prize_draw,
            "winners": selectors.winners(prize_draw) if prize_draw else [],
            "eligible": len(services.eligible_entries(quiz)) if quiz.has_prizes else 0,
            "form": form or DrawForm(),
            "closed": timezone.now() >= quiz.closes_at,
        },
        status=status,
    )


@staff_required(PERM)
def quiz_draw(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    if request.method != "POST":
        return _draw_page(request, quiz)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _draw_page(request, quiz, form, status=400)
    try:
        services.commit_draw(
            quiz, actor=request.user, winners_count=form.cleaned_data["winners_count"]
        )
    except DomainError as exc:
        if (response := refused(request, exc, form)) is not None:
            return response
        return _draw_page(request, quiz, form, status=exc.status)
    messages.success(request, _("The commitment is published. Draw after the quiz closes."))
    return redirect("quizzes:work-quiz-draw", pk=quiz.pk)


@staff_required(PERM)
@require_POST
def quiz_draw_run(request, pk):
    quiz = selectors.managed_quiz_or_404(request.user, pk)
    try:
        services.run_draw(quiz, actor=request.user)
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("The winners are drawn and the seed is published."))
    return redirect("quizzes:work-quiz-draw", pk=quiz.pk)
