from django.urls import path

from . import views_public, views_work

app_name = "awards"

WORK = "work/campaigns/<int:pk>/awards/"

urlpatterns = [
    path(WORK, views_work.ranking, name="work-ranking"),
    path(f"{WORK}indicators/", views_work.indicators, name="work-indicators"),
    path(f"{WORK}scores/", views_work.scoring, name="work-scoring"),
    path(f"{WORK}commendation/", views_work.commendation, name="work-commendation"),
    path(f"{WORK}commendation/add/", views_work.commended_add, name="work-commended-add"),
    path(
        f"{WORK}commendation/<int:item>/remove/",
        views_work.commended_remove,
        name="work-commended-remove",
    ),
    path(
        f"{WORK}commendation/publicise/",
        views_work.commendation_publicise,
        name="work-commendation-publicise",
    ),
    path(
        f"{WORK}commendation/finalise/",
        views_work.commendation_finalise,
        name="work-commendation-finalise",
    ),
    path(f"{WORK}objections/", views_work.objections, name="work-objections"),
    path(
        f"{WORK}objections/<int:objection>/answer/",
        views_work.objection_answer,
        name="work-objection-answer",
    ),
    path(
        f"{WORK}certificates/<int:item>.pdf",
        views_work.certificate,
        name="work-certificate",
    ),
    path(
        "commendations/<slug:slug>/", views_public.commendation_detail, name="commendation-detail"
    ),
    path(
        "commendations/<slug:slug>/objections/",
        views_public.objection_create,
        name="objection-create",
    ),
    path("certificates/<str:code>/", views_public.certificate_verify, name="certificate-verify"),
]
