from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz),
    path("api/v1/", include("config.api_router")),
    path("leads/", include("leads.urls")),
    path("deals/", include("deals.urls")),
    path("pipeline/", include("deals.board.urls")),
    path("products/", include("products.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("activities/", include("activities.urls")),
    path("search/", include("search.urls")),
    path("settings/", include("setup.urls")),
    path("trash/", include("trash.urls")),
    path("", include("contacts.urls")),
    # Log in/out, profile and the home page.
    path("", include("crm.web.urls")),
]
