from django.urls import path

from . import views

app_name = "stats"

urlpatterns: list = [
    path(
        "work/campaigns/<int:pk>/dashboard/",
        views.campaign_dashboard,
        name="campaign-dashboard",
    ),
]
