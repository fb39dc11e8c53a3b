from django.contrib import admin

from activities.models import Activity, Email, Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "deal", "person", "organization", "created_at")
    raw_id_fields = ("deal", "person", "organization", "author")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("subject", "type", "due_date", "assignee", "done")
    list_filter = ("type", "done")
    raw_id_fields = ("deal", "person", "organization", "assignee", "created_by")


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "sender", "sent_at", "logged_by")
    raw_id_fields = ("deal", "person", "organization", "logged_by")
