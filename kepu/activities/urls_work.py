from django.urls import path

from . import views_work as views

urlpatterns = [
    path("work/", views.work_home, name="work-home"),
    path("work/activities/", views.activity_list, name="work-activity-list"),
    path("work/activities/new/", views.activity_create, name="work-activity-create"),
    path("work/activities/<int:pk>/", views.activity_detail, name="work-activity-detail"),
    path("work/activities/<int:pk>/edit/", views.activity_edit, name="work-activity-edit"),
    path(
        "work/activities/<int:pk>/do/<slug:action>/",
        views.activity_transition,
        name="work-activity-transition",
    ),
    path("work/activities/<int:pk>/capacity/", views.capacity, name="work-capacity"),
    path("work/review/", views.review_queue, name="work-review-queue"),
    path(
        "work/activities/<int:pk>/registrations/",
        views.registration_list,
        name="work-registration-list",
    ),
    path("work/activities/<int:pk>/check-in/", views.checkin, name="work-checkin"),
    path("work/activities/<int:pk>/check-in/code/", views.checkin_code, name="work-checkin-code"),
    path("work/feedback/<int:pk>/hide/", views.feedback_hide, name="work-feedback-hide"),
]
