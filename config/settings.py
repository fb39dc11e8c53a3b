"""Settings, all taken from the environment.

With no DATABASE_URL the CRM runs on an embedded SQLite file in the git-ignored `data/`
folder, so a newcomer needs nothing installed. Production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (PostgreSQL through psycopg 3).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CRM_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (CSP: 'self')
    "import_export",
    # The domain, in the one direction the apps depend on each other (README, .importlinter):
    # crm <- contacts <- deals <- products <- activities <- leads <- reports, imports, search,
    # setup, trash <- demo
    "crm",
    "contacts",
    "deals",
    "products",
    "activities",
    "leads",
    "reports",
    "imports",
    "search",
    "setup",
    "trash",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.ActivateUserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crm.csp.ContentSecurityPolicyMiddleware",
    "crm.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Connections are kept for a minute; the health check tests a kept one before a request
    # uses it, so a restarted or failed-over database costs a reconnect, not a 500.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "crm.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # JIT compiling pays off for long analytical queries, not for pages that must answer in
    # tens of milliseconds: the reports' aggregates spent more compiling than running.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# Every login path (the login page, the admin's, the API's token endpoint) goes through this
# backend: it refuses while too many failed logins lock a username or a client address.
AUTHENTICATION_BACKENDS = ["crm.login_limits.LoginLimitBackend"]
CRM_LOGIN_FAILURE_LIMIT = int(os.environ.get("CRM_LOGIN_FAILURE_LIMIT", 5))
CRM_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("CRM_LOGIN_LOCKOUT_SECONDS", 15 * 60))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
# Off: ids and versions rendered into URLs and forms must never read "1,769". Amounts and
# counts are grouped explicitly by the `money` and `number` filters (crm_format).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

# Uploads: an import file may be large, a request body may not be unbounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CRM_IMPORT_MAX_BYTES = int(os.environ.get("CRM_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
CRM_IMPORT_MAX_ROWS = int(os.environ.get("CRM_IMPORT_MAX_ROWS", 200_000))
# Imports with more rows than this are applied by the background worker.
CRM_IMPORT_BACKGROUND_ROWS = int(os.environ.get("CRM_IMPORT_BACKGROUND_ROWS", 1_000))
CRM_IMPORT_BACKGROUND_BYTES = int(os.environ.get("CRM_IMPORT_BACKGROUND_BYTES", 256 * 1024))
# A background import with no sign of its worker for this long offers "Run again" and "Cancel".
CRM_IMPORT_STALE_SECONDS = int(os.environ.get("CRM_IMPORT_STALE_SECONDS", 300))

# The country a phone number without a country code is read in.
CRM_DEFAULT_COUNTRY = os.environ.get("CRM_DEFAULT_COUNTRY", "DE").upper()
# Only seeds the company's default currency, which admins change under Settings
# (crm.selectors.default_currency is what everything reads).
CRM_DEFAULT_CURRENCY = os.environ.get("CRM_DEFAULT_CURRENCY", "EUR").upper()
# How long a deleted record stays in the trash before `manage.py trash_purge` deletes it.
CRM_TRASH_DAYS = int(os.environ.get("CRM_TRASH_DAYS", 30))

# Invitations and password links: printed on the console unless a real backend is set
# (e.g. EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST ...).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crm@localhost")

# Security defaults; `manage.py check --deploy` is clean when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the progressive JS reads it for fetch() calls
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Behind a proxy that terminates TLS, name the header it sets (e.g. X-Forwarded-Proto): Django
# then takes "https" in it as a secure request. Off unless set: any client could send it.
_PROXY_SSL_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
# How many proxies of our own stand in front of the server. The client's address is then the
# one the outermost of them wrote into X-Forwarded-For; with 0 it is the connection's address
# and X-Forwarded-For is ignored (anyone can send it). Throttles and login limits both use it.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", 0))

# The Content-Security-Policy of every response (crm.csp): scripts only from our own static
# files, no inline script or event handler. Inline style attributes stay allowed (a label's
# colour from the database, DRF's browsable API), <style> elements do not.
CRM_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _throttle(name: str, default: str) -> str | None:
    value = os.environ.get(name, default).strip()
    return None if value.lower() == "none" else value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API's shared behaviour, for every view of every app (crm/api/):
    # documented error responses, domain errors as 4xx, paging and throttles.
    "DEFAULT_SCHEMA_CLASS": "crm.api.schema.CrmAutoSchema",
    "EXCEPTION_HANDLER": "crm.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.CrmPagination",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "crm.api.renderers.BrowsableApiRenderer",  # without an inline <style>: CSP
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "crm.api.throttles.AnonThrottle",
        "crm.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle("API_THROTTLE_ANON", "60/min"),
        "user": _throttle("API_THROTTLE_USER", "1200/min"),
        "token": _throttle("API_THROTTLE_TOKEN", "20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": "Leads, deals, contacts and everything a user can do in the browser.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VisibilityEnum": "crm.models.Visibility",
        "TimelineKindEnum": "activities.api.serializers.TIMELINE_KINDS",
        "ImportKindEnum": "imports.models.ImportKind",
        "ActivityTypeEnum": "activities.models.ActivityType",
        "CustomFieldTypeEnum": "crm.models.FieldType",
        "TrashKindEnum": "trash.kinds.TrashKind",
    },
}

# A cache shared by every server process (Redis) in production, e.g. redis://127.0.0.1:6379/1:
# the one-time form tokens that stop double submits rely on it across processes.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Embedded mode (no broker configured) runs background work in-process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not DATABASE_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
