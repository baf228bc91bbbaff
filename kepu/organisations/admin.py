from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from kepu.core.admin import SuperuserOnly

from .models import Membership, Organisation, Region


@admin.register(Region)
class RegionAdmin(SuperuserOnly, TreeAdmin):
    form = movenodeform_factory(Region)
    list_display = ("name", "code")
    search_fields = ("name", "code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SuperuserOnly, TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ("name", "level", "kind", "region")
    list_filter = ("level", "kind")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__name", "user__email", "organisation__name")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")
