from django.urls import path

from setup.views import catalog, pipelines, teams, users
from setup.views.common import admin_only, render_setup

app_name = "setup"


@admin_only
def index(request):
    return render_setup(request, "setup/index.html", "", {})


urlpatterns = [
    path("", index, name="index"),
    path("users/", users.user_index, name="users"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/<int:pk>/", users.user_edit, name="user"),
    path("users/<int:pk>/password-link/", users.user_password_link, name="user_password_link"),
    path("users/<int:pk>/active/", users.user_active, name="user_active"),
    path("users/<int:pk>/hand-over/", users.user_hand_over_view, name="user_hand_over"),
    path("teams/", teams.team_index, name="teams"),
    path("teams/new/", teams.team_new, name="team_new"),
    path("teams/<int:pk>/", teams.team_edit, name="team"),
    path("pipelines/", pipelines.pipeline_index, name="pipelines"),
    path("pipelines/<int:pk>/", pipelines.pipeline_edit, name="pipeline"),
    path("pipelines/<int:pk>/active/", pipelines.pipeline_active, name="pipeline_active"),
    path("pipelines/<int:pk>/stages/", pipelines.stage_new, name="stage_new"),
    path("pipelines/<int:pk>/reorder/", pipelines.stage_reorder, name="stage_reorder"),
    path("stages/<int:pk>/", pipelines.stage_edit, name="stage"),
    path("stages/<int:pk>/delete/", pipelines.stage_delete, name="stage_delete"),
    path("labels/", catalog.label_index, name="labels"),
    path("labels/<int:pk>/", catalog.label_edit, name="label"),
    path("labels/<int:pk>/delete/", catalog.label_delete, name="label_delete"),
    path("lost-reasons/", catalog.lost_reason_index, name="lost_reasons"),
    path("lost-reasons/<int:pk>/", catalog.lost_reason_edit, name="lost_reason"),
    path("lost-reasons/<int:pk>/active/", catalog.lost_reason_active, name="lost_reason_active"),
    path("company/", catalog.company, name="company"),
]
