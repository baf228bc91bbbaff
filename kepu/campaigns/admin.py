from django.contrib import admin

from kepu.core.admin import SuperuserOnly

from .models import Campaign, CampaignTarget, DeadlineReopening, JointAction


class JointActionInline(admin.TabularInline):
    model = JointAction
    extra = 0
    autocomplete_fields = ("lead_unit",)


class CampaignTargetInline(admin.TabularInline):
    model = CampaignTarget
    extra = 0


class DeadlineReopeningInline(admin.TabularInline):
    model = DeadlineReopening
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(Campaign)
class CampaignAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("title", "organiser", "starts_on", "ends_on", "time_zone", "is_public")
    list_filter = ("is_public", "participation", "time_zone")
    search_fields = ("title", "slug", "theme")
    date_hierarchy = "starts_on"
    # The nesting (lineage) is kept by the campaign services: organiser and parent stay fixed.
    readonly_fields = ("organiser", "parent", "lineage")
    filter_horizontal = ("invited",)
    inlines = (JointActionInline, CampaignTargetInline, DeadlineReopeningInline)
    list_select_related = ("organiser",)

    def has_add_permission(self, request, *args):
        return False  # created in the workbench, through create_campaign


@admin.register(JointAction)
class JointActionAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("number", "title", "campaign", "lead_unit", "lead_unit_name")
    list_filter = ("campaign",)
    search_fields = ("title", "lead_unit_name")
    autocomplete_fields = ("campaign", "lead_unit")
    list_select_related = ("campaign", "lead_unit")
