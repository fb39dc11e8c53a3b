from django.contrib import admin

from imports.models import Import, SavedMapping


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    """The import history, read-only: applying and reverting go through the Import page, which
    keeps the all-or-nothing rule and the record of every row."""

    list_display = ("file_name", "kind", "status", "row_count", "created_by", "created_at")
    list_filter = ("kind", "status")
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("__str__",)
