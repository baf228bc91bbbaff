from django.urls import path

from . import views_public, views_work

app_name = "quizzes"

WORK = "work/quizzes/"

urlpatterns = [
    path(f"{WORK}questions/", views_work.question_list, name="work-question-list"),
    path(f"{WORK}questions/new/", views_work.question_create, name="work-question-create"),
    path(f"{WORK}questions/<int:pk>/", views_work.question_edit, name="work-question-edit"),
    path(
        f"{WORK}questions/<int:pk>/retire/",
        views_work.question_retire,
        name="work-question-retire",
    ),
    path(f"{WORK}questions/import/", views_work.question_import, name="work-question-import"),
    path(
        f"{WORK}questions/import/template/",
        views_work.question_template,
        name="work-question-template",
    ),
    path(f"{WORK}questions/export/", views_work.question_export, name="work-question-export"),
    path("work/campaigns/<int:pk>/quizzes/", views_work.quiz_list, name="work-quiz-list"),
    path("work/campaigns/<int:pk>/quizzes/new/", views_work.quiz_create, name="work-quiz-create"),
    path(f"{WORK}<int:pk>/", views_work.quiz_detail, name="work-quiz-detail"),
    path(f"{WORK}<int:pk>/edit/", views_work.quiz_edit, name="work-quiz-edit"),
    path(f"{WORK}<int:pk>/publish/", views_work.quiz_publish, name="work-quiz-publish"),
    path(f"{WORK}<int:pk>/statistics/", views_work.quiz_stats, name="work-quiz-stats"),
    path(f"{WORK}<int:pk>/suspicious/", views_work.quiz_suspicious, name="work-quiz-suspicious"),
    path(f"{WORK}<int:pk>/draw/", views_work.quiz_draw, name="work-quiz-draw"),
    path(f"{WORK}<int:pk>/draw/run/", views_work.quiz_draw_run, name="work-quiz-draw-run"),
    path("quizzes/<int:pk>/", views_public.quiz_detail, name="quiz-detail"),
    path("quizzes/<int:pk>/start/", views_public.attempt_start, name="attempt-start"),
    path("quizzes/<int:pk>/leaderboard/", views_public.quiz_leaderboard, name="quiz-leaderboard"),
    path("quizzes/<int:pk>/draw/", views_public.quiz_draw, name="quiz-draw"),
    path("quizzes/attempts/<uuid:public_id>/", views_public.attempt_take, name="attempt-take"),
    path(
        "quizzes/attempts/<uuid:public_id>/save/",
        views_public.attempt_save,
        name="attempt-save",
    ),
    path(
        "quizzes/attempts/<uuid:public_id>/submit/",
        views_public.attempt_submit,
        name="attempt-submit",
    ),
    path(
        "quizzes/attempts/<uuid:public_id>/result/",
        views_public.attempt_result,
        name="attempt-result",
    ),
]
