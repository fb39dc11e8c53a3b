from django.contrib import admin

from contacts.models import MergeRecord, Organization, Person, PersonEmail, PersonPhone


class PersonEmailInline(admin.TabularInline):
    model = PersonEmail
    fields = ("email", "position")
    extra = 0


class PersonPhoneInline(admin.TabularInline):
    model = PersonPhone
    fields = ("number", "position")
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Browse and fix contacts; creating and merging is done in the app (it keeps the keys)."""

    list_display = ("name", "organization", "owner", "visible_to", "created_at")
    list_filter = ("visible_to",)
    search_fields = ("name", "emails__key", "phones__key")
    raw_id_fields = ("organization", "owner")
    readonly_fields = ("name_key",)
    inlines = [PersonEmailInline, PersonPhoneInline]

    def has_add_permission(self, request):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "owner", "visible_to", "created_at")
    list_filter = ("visible_to",)
    search_fields = ("name", "domain")
    raw_id_fields = ("owner",)
    readonly_fields = ("name_key", "domain")

    def has_add_permission(self, request):
        return False


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    """The merge log: read-only, it is history."""

    list_display = ("kind", "merged_name", "merged_id", "survivor_id", "actor", "created_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
