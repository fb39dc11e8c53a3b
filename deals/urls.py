from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list_view, name="list"),
    path("add/", views.deal_add, name="add"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/edit/", views.deal_edit, name="edit"),
    path("<int:pk>/move/", views.deal_move, name="move"),
    path("<int:pk>/won/", views.deal_won, name="won"),
    path("<int:pk>/lost/", views.deal_lost, name="lost"),
    path("<int:pk>/reopen/", views.deal_reopen, name="reopen"),
    path("<int:pk>/delete/", views.deal_delete, name="delete"),
]
