from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("people/", views.person_list_view, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/add/", views.organization_add, name="organization_add"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/merge/", views.organization_merge, name="organization_merge"),
]
