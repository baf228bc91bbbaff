from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kepu.core.admin import ReadOnly, SuperuserOnly

from .models import ApiToken, Notification, User


@admin.register(User)
class UserAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "masked_phone",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
    )
    list_display_links = ("id", "name")
    list_filter = ("is_active", "is_staff", "is_superuser", "elder_mode", "language")
    search_fields = ("name", "email", "phone")
    ordering = ("-date_joined",)
    readonly_fields = ("date_joined", "last_login")
    filter_horizontal = ("groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("name", "phone", "email", "language", "elder_mode")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )

    @admin.display(description=_("phone number"), ordering="phone")
    def masked_phone(self, obj: User) -> str:
        return obj.masked_phone

    def has_add_permission(self, request, *args):
        # People sign up themselves; superusers come from `createsuperuser`.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    search_fields = ("prefix", "name")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)
    list_select_related = ("user",)

    def has_add_permission(self, request, *args):
        return False  # a key is shown once at issue time, which the admin cannot do


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "user", "message", "read_at")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
