from django.urls import path

from deals.board import views

app_name = "board"

urlpatterns = [
    path("", views.board_index, name="index"),
    path("<int:pipeline_id>/", views.board_view, name="pipeline"),
    path("<int:pipeline_id>/changes/", views.board_changes, name="changes"),
    path("<int:pipeline_id>/stages/<int:stage_id>/cards/", views.column_cards, name="cards"),
    path("deals/<int:pk>/move/", views.deal_board_move, name="move"),
]
