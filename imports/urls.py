from django.urls import path

from imports import exports, views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_new, name="new"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/mapping/", views.import_configure_view, name="configure"),
    path("<int:pk>/apply/", views.import_apply_view, name="apply"),
    path("<int:pk>/revert/", views.import_revert_view, name="revert"),
    path("<int:pk>/rerun/", views.import_rerun_view, name="rerun"),
    path("<int:pk>/cancel/", views.import_cancel_view, name="cancel"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("export/<str:kind>.<str:fmt>", exports.export_view, name="export"),
]
