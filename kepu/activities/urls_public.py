from django.urls import path

from . import views_public as views

urlpatterns = [
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/event.ics", views.activity_ics, name="activity-ics"),
    path("activities/<int:pk>/sign-up/", views.registration_create, name="registration-create"),
    path("activities/<int:pk>/check-in/", views.checkin_self, name="checkin-self"),
    path("activities/<int:pk>/feedback/", views.feedback_create, name="feedback-create"),
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/<str:code>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:code>/cancel/", views.registration_cancel, name="registration-cancel"),
]
