from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("calendar/", views.activity_calendar, name="calendar"),
    path("<int:pk>/done/", views.done, name="done"),
    # The composer of the deal, person and organization pages (kind: deal|person|organization).
    path("on/<str:kind>/<int:pk>/notes/", views.note_add, name="note_add"),
    path("on/<str:kind>/<int:pk>/activities/", views.activity_add, name="activity_add"),
    path("on/<str:kind>/<int:pk>/emails/", views.email_log_add, name="email_log"),
]
