"""Login required everywhere, and each user's own language."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

# Paths open without a session: the login page, the set-password links, static files, the API
# (which answers 401/403 itself, token auth included) and the health check.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/set-password/",
    "/static/",
    "/api/",
    "/healthz",
    "/i18n/",
)


class UserLanguageMiddleware(LocaleMiddleware):
    """The browser's language (Accept-Language) until the user is known."""


class ActivateUserLanguageMiddleware(MiddlewareMixin):
    """Once authenticated, the language chosen in the user's profile wins over the browser's."""

    def process_request(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language


class LoginRequiredMiddleware(MiddlewareMixin):
    def process_request(self, request):
        if request.user.is_authenticated or request.path.startswith(PUBLIC_PREFIXES):
            return None
        if request.path.startswith("/admin/"):
            return None  # Django's admin has its own login
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")
