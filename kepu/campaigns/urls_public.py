from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/calendar.ics", views.campaign_calendar, name="campaign-calendar"),
]
