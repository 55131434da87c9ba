from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("public_id", "name", "email", "business", "livemode", "created")
    search_fields = ("public_id", "name", "email")
    list_filter = ("livemode",)
