from django.contrib import admin

from .models import SupportRequest


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """A look at requests; changes go through the dashboard (the services record events)."""

    list_display = ("public_id", "business", "livemode", "customer", "invoice", "status", "created", "closed_at")
    list_filter = ("status", "livemode")
    search_fields = ("public_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
