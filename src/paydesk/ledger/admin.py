from django.contrib import admin

from .models import JournalEntry, JournalTransaction


class JournalEntryInline(admin.TabularInline):
    model = JournalEntry
    extra = 0
    can_delete = False
    fields = ("account", "currency", "amount_minor", "invoice", "payment", "refund")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalTransaction)
class JournalTransactionAdmin(admin.ModelAdmin):
    list_display = ("public_id", "kind", "description", "business", "created")
    list_filter = ("kind",)
    inlines = [JournalEntryInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
