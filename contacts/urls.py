from django.urls import path

from contacts.views import merge, organizations, people, picker

app_name = "contacts"

urlpatterns = [
    path("people/", people.person_list_view, name="person_list"),
    path("people/add/", people.person_add, name="person_add"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/merge/", merge.person_merge, name="person_merge"),
    path("organizations/", organizations.organization_list_view, name="organization_list"),
    path("organizations/add/", organizations.organization_add, name="organization_add"),
    path(
        "organizations/<int:pk>/",
        organizations.organization_detail,
        name="organization_detail",
    ),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/merge/", merge.organization_merge, name="organization_merge"),
    # What the contact picker of the lead, deal and person forms suggests while typing.
    path("contacts/suggest/", picker.suggest, name="suggest"),
]
