from django.contrib import admin

from .models import ApiKey, Business, StaffMembership


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "public_id", "email", "default_currency", "created")
    search_fields = ("name", "public_id", "email")


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("business", "user", "role")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("display_prefix", "business", "kind", "livemode", "created", "revoked_at")
    readonly_fields = ("digest", "display_prefix", "kind", "livemode", "business")
