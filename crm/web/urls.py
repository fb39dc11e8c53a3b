"""Log in and out, the password, the profile and the home page.

No namespace: Django's auth views and LOGIN_URL look these names up as they are.
"""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from crm.web import field_settings, views
from crm.web.login import LoginForm

urlpatterns = [
    # The login path is public in crm.middleware.PUBLIC_PREFIXES: keep them in step.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    # Public too (PUBLIC_PREFIXES): the one-time link of an invitation or a password reset.
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password_set",
    ),
    path("settings/fields/", field_settings.field_list, name="field_list"),
    path("settings/fields/<int:pk>/", field_settings.field_edit, name="field_edit"),
    path("settings/fields/<int:pk>/delete/", field_settings.field_delete, name="field_delete"),
    # Under /i18n/, which is public: the login page loads the catalog too.
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", views.home, name="home"),
]
