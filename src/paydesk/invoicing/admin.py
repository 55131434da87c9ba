from django.contrib import admin

from .models import Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    readonly_fields = ("amount", "discount_amount", "tax_amount")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "public_id", "customer", "status", "currency", "total", "amount_paid", "due_date")
    list_filter = ("status", "livemode", "currency")
    search_fields = ("number", "public_id", "customer__email")
    inlines = [InvoiceLineInline]
    # Money fields change only through services, which keep the ledger in step.
    readonly_fields = ("subtotal", "discount_amount", "tax", "total", "amount_paid", "status", "number")
