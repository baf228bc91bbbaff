from django.urls import path

from . import views_work as views

app_name = "results"

urlpatterns = [
    path("work/activities/<int:pk>/results/", views.results_page, name="work-results"),
    path(
        "work/activities/<int:pk>/results/upload/", views.result_upload, name="work-result-upload"
    ),
    path("work/activities/<int:pk>/results/link/", views.result_link, name="work-result-link"),
    path("work/activities/<int:pk>/results/outcome/", views.outcome_set, name="work-outcome"),
    path("work/results/<int:pk>/remove/", views.result_remove, name="work-result-remove"),
    path("work/results/<int:pk>/file/", views.item_file, name="item-file"),
    path("work/results/<int:pk>/thumbnail/", views.item_thumbnail, name="item-thumbnail"),
]
