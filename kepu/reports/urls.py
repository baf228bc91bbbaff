from django.urls import path

from . import views_work as views

app_name = "reports"

urlpatterns = [
    path("work/summaries/", views.summary_list, name="summary-list"),
    path("work/summaries/<int:pk>/", views.summary_detail, name="summary-detail"),
    path("work/summaries/<int:pk>/edit/", views.summary_edit, name="summary-edit"),
    path("work/summaries/<int:pk>/correct/", views.summary_correct, name="summary-correct"),
    path("work/summaries/<int:pk>/submit/", views.summary_submit, name="summary-submit"),
    path(
        "work/summaries/<int:pk>/review/<slug:action>/",
        views.summary_review,
        name="summary-review",
    ),
    path(
        "work/summaries/<int:pk>/attachments/",
        views.attachment_add,
        name="summary-attachment-add",
    ),
    path(
        "work/summary-attachments/<int:pk>/remove/",
        views.attachment_remove,
        name="summary-attachment-remove",
    ),
    path(
        "work/summary-attachments/<int:pk>/file/",
        views.attachment_file,
        name="summary-attachment-file",
    ),
    path(
        "work/campaigns/<int:pk>/units/<int:unit>/summary/",
        views.summary_open,
        name="summary-open",
    ),
    path(
        "work/campaigns/<int:pk>/summaries/",
        views.campaign_summaries,
        name="campaign-summaries",
    ),
]
