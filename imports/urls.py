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
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("export/<str:kind>.<str:fmt>", exports.export_view, name="export"),
]
