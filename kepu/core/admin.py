"""The Django admin is the superusers' maintenance tool; staff work in the workbench.

Every kepu ModelAdmin mixes in SuperuserOnly, the site itself admits superusers only, and its
login page hands over to the throttled sign-in page (the admin's own form has no throttle).
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .models import AuditEntry


def is_superuser(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def _admin_login(request, extra_context=None):
    if request.user.is_authenticated:
        if is_superuser(request):
            return admin.site.index(request)
        raise PermissionDenied
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("accounts:login"))


admin.site.has_permission = is_superuser
admin.site.login = _admin_login


class SuperuserOnly:
    """Module, view and edit rights for active superusers and nobody else."""

    def has_module_permission(self, request):
        return is_superuser(request)

    def has_view_permission(self, request, obj=None):
        return is_superuser(request)

    def has_add_permission(self, request, *args):
        return is_superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request) and super().has_delete_permission(request, obj)


class ReadOnly(SuperuserOnly):
    """A record nobody edits by hand (audit trail, sign-ups): superusers may only look."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("at", "action", "actor", "object_type", "object_id", "organisation")
    list_filter = ("object_type",)
    search_fields = ("action", "object_type", "object_id", "note")
    date_hierarchy = "at"
    list_select_related = ("actor", "organisation")
