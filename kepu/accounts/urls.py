from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.code_request, name="code-request"),
    path("login/code/verify/", views.code_verify, name="code-verify"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/phone/", views.phone_change, name="phone-change"),
    path("me/phone/verify/", views.phone_change_verify, name="phone-change-verify"),
    path("me/password/", views.password_change, name="password-change"),
    path("me/export.json", views.data_export, name="data-export"),
    path("me/delete/", views.data_delete, name="data-delete"),
    path("me/notifications/", views.notification_list, name="notification-list"),
    path("me/notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("elder-mode/", views.elder_mode, name="elder-mode"),
]
