from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kepu.core.admin import ReadOnly, SuperuserOnly

from .models import Activity, Audience, CheckIn, Feedback, Registration, Topic


@admin.register(Audience, Topic)
class LabelAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("slug", "name_zh_hans", "name_zh_hant", "name_vi", "name_en")
    search_fields = ("slug", "name_zh_hans", "name_zh_hant", "name_vi", "name_en")


@admin.register(Activity)
class ActivityAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = (
        "title",
        "organisation",
        "campaign",
        "status",
        "kind",
        "format",
        "starts_at",
        "capacity",
        "confirmed_count",
        "waitlist_count",
        "masked_contact_phone",
    )
    list_filter = ("status", "kind", "format", "is_key", "signup_required", "is_late", "campaign")
    search_fields = ("title", "venue", "organisation__name")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("organisation", "campaign", "joint_action", "region")
    filter_horizontal = ("audiences", "topics")
    # Counters and workflow stamps belong to the services (row lock, review workflow).
    readonly_fields = (
        "confirmed_count",
        "waitlist_count",
        "submitted_at",
        "published_at",
        "created_by",
        "is_late",
    )
    list_select_related = ("organisation", "campaign")

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj: Activity) -> str:
        return obj.masked_contact_phone

    def has_add_permission(self, request, *args):
        return False  # activities are reported by their unit in the workbench

    def save_model(self, request, obj, form, change):
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)


@admin.register(Registration)
class RegistrationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "activity",
        "name",
        "masked_phone",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
    )
    list_filter = ("status", "is_minor")
    search_fields = ("activity__title", "ticket_code")
    date_hierarchy = "created_at"
    exclude = ("phone",)
    readonly_fields = ("masked_phone",)
    list_select_related = ("activity",)

    @admin.display(description=_("phone number"))
    def masked_phone(self, obj: Registration) -> str:
        return obj.masked_phone


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("activity", "name", "masked_phone", "method", "at")
    list_filter = ("method",)
    search_fields = ("activity__title",)
    exclude = ("phone",)
    readonly_fields = ("masked_phone",)
    list_select_related = ("activity",)

    @admin.display(description=_("phone number"))
    def masked_phone(self, obj: CheckIn) -> str:
        return obj.masked_phone


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("activity", "rating", "comment", "created_at", "hidden_at")
    list_filter = ("rating",)
    search_fields = ("activity__title",)
    list_select_related = ("activity",)
