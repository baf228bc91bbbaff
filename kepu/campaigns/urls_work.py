from django.urls import path

from . import views_work as views

urlpatterns = [
    path("work/campaigns/", views.campaign_list, name="work-campaign-list"),
    path("work/campaigns/new/", views.campaign_create, name="work-campaign-create"),
    path("work/campaigns/<int:pk>/", views.campaign_detail, name="work-campaign-detail"),
    path("work/campaigns/<int:pk>/edit/", views.campaign_edit, name="work-campaign-edit"),
    path(
        "work/campaigns/<int:pk>/joint-actions/new/",
        views.jointaction_create,
        name="work-jointaction-create",
    ),
    path("work/campaigns/<int:pk>/reopen/", views.phase_reopen, name="work-phase-reopen"),
    path("work/campaigns/<int:pk>/targets/", views.target_set, name="work-target-set"),
]
