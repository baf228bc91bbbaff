from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("work/exports/", views.job_list, name="job-list"),
    path("work/exports/export/", views.export, name="export"),
    path("work/exports/jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("work/exports/jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("work/exports/import/", views.import_activities, name="import"),
    path("work/exports/import/template/", views.import_template, name="import-template"),
]
