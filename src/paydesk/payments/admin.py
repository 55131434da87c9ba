from django.contrib import admin

from .models import Payment, PaymentAllocation, Refund


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("public_id", "invoice", "amount", "currency", "status", "card_brand", "card_last4", "created")
    list_filter = ("status", "livemode", "provider")
    search_fields = ("public_id", "provider_reference")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(admin.ModelAdmin):
    list_display = ("payment", "invoice", "amount", "created")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ("public_id", "payment", "amount", "currency", "status", "created")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False
