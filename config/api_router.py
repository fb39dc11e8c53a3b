"""/api/v1/: every resource, the token endpoint, the OpenAPI schema and its interactive docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from contacts.api.views import OrganizationViewSet, PersonViewSet
from crm.api.custom_fields import CustomFieldViewSet
from crm.api.views import LabelViewSet, TeamViewSet, TokenView, UserViewSet
from crm.csp import csp_update
from deals.api.views import LostReasonViewSet, PipelineViewSet, StageViewSet
from imports.api import ImportViewSet
from leads.api.attach import LeadActivityViewSet, LeadEmailViewSet, LeadNoteViewSet
from leads.api.deals import DealViewSet
from leads.api.items import LeadProductViewSet
from leads.api.views import LeadViewSet
from products.api.views import DealProductViewSet, ProductViewSet
from setup.api import UserHandOverView
from trash.api.views import TrashViewSet

app_name = "api"


@csrf_exempt  # a 404 for any method, not a CSRF page
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)


router = DefaultRouter()
router.include_root_view = False
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("persons", PersonViewSet, basename="person")
router.register("leads", LeadViewSet, basename="lead")
# The deals app's views with `to-lead/` (leads/api/deals.py).
router.register("deals", DealViewSet, basename="deal")
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register("stages", StageViewSet, basename="stage")
router.register("lead-labels", LabelViewSet, basename="label")
router.register("lost-reasons", LostReasonViewSet, basename="lost-reason")
# On a lead, or on a deal, person or organization (leads/api/attach.py).
router.register("notes", LeadNoteViewSet, basename="note")
router.register("activities", LeadActivityViewSet, basename="activity")
router.register("emails", LeadEmailViewSet, basename="email")
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("fields", CustomFieldViewSet, basename="custom-field")
router.register("imports", ImportViewSet, basename="import")
router.register("products", ProductViewSet, basename="product")
router.register("trash", TrashViewSet, basename="trash")


def record_products(viewset, name: str) -> list:
    """`{record}/{id}/products/` and `.../products/{line}/`: the record's product lines."""
    return [
        path(
            f"{name}s/<int:{name}_pk>/products/",
            viewset.as_view({"get": "list", "post": "create"}),
            name=f"{name}-products",
        ),
        path(
            f"{name}s/<int:{name}_pk>/products/value-mode/",
            viewset.as_view({"post": "value_mode"}),
            name=f"{name}-products-value-mode",
        ),
        path(
            f"{name}s/<int:{name}_pk>/products/<int:pk>/",
            viewset.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
            name=f"{name}-product",
        ),
    ]


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("users/<int:pk>/hand-over/", UserHandOverView.as_view(), name="user-hand-over"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files (drf-spectacular-sidecar), its start-up script a file
    # of its own (?script): the page runs under the site's CSP, only its <style> block needs
    # inline styles.
    path(
        "docs/",
        csp_update(style_src=["'unsafe-inline'"])(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    *record_products(DealProductViewSet, "deal"),
    *record_products(LeadProductViewSet, "lead"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404 too, not the site's HTML page.
    re_path(r"", not_found),
]
