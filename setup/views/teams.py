"""Teams: create, rename, members and managers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from crm import services
from crm.errors import DomainError
from crm.selectors import team_list
from setup.forms import TeamForm, form_error
from setup.views.common import admin_only, render_setup


@admin_only
def team_index(request: HttpRequest) -> HttpResponse:
    return render_setup(request, "setup/teams.html", "teams", {"teams": team_list()})


@admin_only
def team_new(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The team %(team)s was created.") % {"team": team})
            return redirect("setup:teams")
    return render_setup(request, "setup/team_form.html", "teams", {"form": form})


@admin_only
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(team_list(), pk=pk)
    initial = {
        "name": team.name,
        "members": list(team.members.all()),
        "managers": list(team.managers.all()),
    }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The team %(team)s was saved.") % {"team": team})
            return redirect("setup:teams")
    return render_setup(request, "setup/team_form.html", "teams", {"form": form, "team": team})
