from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("add/", views.add, name="add"),
    path("bulk/", views.bulk, name="bulk"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/activities/", views.activity_add, name="activity_add"),
]
