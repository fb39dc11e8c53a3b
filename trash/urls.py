from django.urls import path

from trash import views

app_name = "trash"

urlpatterns = [
    path("", views.trash_list, name="list"),
    path("<str:item_id>/restore/", views.trash_restore_view, name="restore"),
]
