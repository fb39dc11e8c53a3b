from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from crm.models import CompanySettings, Label, Team, User
from crm.web.login import AdminLoginForm


def _crm_admins_allowed(request) -> bool:
    # Django's admin is for CRM admins (role admin or superuser), staff flag or not.
    user = request.user
    return user.is_active and (user.is_staff or getattr(user, "is_crm_admin", False))


admin.site.has_permission = _crm_admins_allowed
admin.site.site_header = "CRM administration"
admin.site.login_form = AdminLoginForm  # says so when failed logins locked the account


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("CRM", {"fields": ("role", "team", "managed_teams", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("CRM", {"fields": ("role", "team")}),
    )
    filter_horizontal = ("groups", "user_permissions", "managed_teams")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "color")


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
