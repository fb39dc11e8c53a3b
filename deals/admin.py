from django.contrib import admin

from deals.models import Deal, DealHistory, LostReason, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("name", "order", "probability", "rotting_days")
    extra = 1


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "is_active")
    inlines = [StageInline]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")


class DealHistoryInline(admin.TabularInline):
    model = DealHistory
    fk_name = "deal"
    fields = (
        "created_at",
        "kind",
        "from_stage",
        "to_stage",
        "from_status",
        "to_status",
        "actor",
        "detail",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Stage, status and version change only through the app's services (they keep history)."""

    list_display = ("title", "pipeline", "stage", "status", "value", "currency", "owner")
    list_filter = ("pipeline", "status", "visible_to")
    search_fields = ("title",)
    raw_id_fields = ("person", "organization", "owner")
    readonly_fields = (
        "pipeline",
        "stage",
        "status",
        "won_at",
        "lost_at",
        "lost_reason",
        "lost_reason_text",
        "version",
        "stage_entered_at",
        "next_activity_at",
    )
    inlines = [DealHistoryInline]

    def has_add_permission(self, request):
        return False


@admin.register(DealHistory)
class DealHistoryAdmin(admin.ModelAdmin):
    list_display = (
        "deal",
        "kind",
        "from_stage",
        "to_stage",
        "from_status",
        "to_status",
        "actor",
        "created_at",
    )
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
