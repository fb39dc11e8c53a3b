from django.contrib import admin

from leads.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """The conversion is a service (one transaction with the deal): read-only here."""

    list_display = (
        "title",
        "person",
        "organization",
        "value",
        "owner",
        "source",
        "archived_at",
        "converted_at",
    )
    list_filter = ("source", "visible_to")
    search_fields = ("title",)
    raw_id_fields = ("person", "organization", "owner")
    readonly_fields = ("deal", "converted_at", "converted_by", "next_activity_at")
    exclude = ("notes", "activities", "emails")

    def has_add_permission(self, request):
        return False
