"""Users: list, invite, edit, set-password links, deactivate and hand over their records."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import services
from crm.errors import DomainError
from crm.models import User
from crm.selectors import user_list
from setup.forms import HandOverForm, UserForm, UserInviteForm, form_error
from setup.selectors import user_owned_counts
from setup.services import user_hand_over
from setup.views.common import admin_only, base_url, render_setup


def _link_message(request: HttpRequest, user: User, link: str, invite: bool) -> None:
    if user.email:
        text = (
            _("An invitation to set a password was e-mailed to %(email)s.")
            if invite
            else _("A link to set a new password was e-mailed to %(email)s.")
        )
        messages.success(request, text % {"email": user.email})
    else:
        messages.warning(
            request,
            _("%(user)s has no e-mail address: give them this one-time link: %(link)s")
            % {"user": user, "link": link},
        )


@admin_only
def user_index(request: HttpRequest) -> HttpResponse:
    users = user_list().order_by("-is_active", "first_name", "last_name", "username")
    return render_setup(request, "setup/users.html", "users", {"users": users})


@admin_only
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
            link = services.user_send_password_link(
                actor=request.user, user=user, base_url=base_url(request), invite=True
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(user)s was added.") % {"user": user})
            _link_message(request, user, link, invite=True)
            return redirect("setup:user", user.pk)
    return render_setup(request, "setup/user_form.html", "users", {"form": form})


@admin_only
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(user_list(), pk=pk)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "team": user.team_id,
        "managed_teams": list(user.managed_teams.all()),
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(user)s was saved.") % {"user": user})
            return redirect("setup:user", user.pk)
    context = {
        "person": user,
        "form": form,
        "hand_over_form": HandOverForm(user=user),
        "owned": user_owned_counts(user=user),
    }
    return render_setup(request, "setup/user_form.html", "users", context)


@admin_only
@require_POST
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        link = services.user_send_password_link(
            actor=request.user, user=user, base_url=base_url(request), invite=False
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _link_message(request, user, link, invite=False)
    return redirect("setup:user", user.pk)


@admin_only
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("is_active") == "1"
    try:
        services.user_update(actor=request.user, user=user, is_active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = _("%(user)s can log in again.") if active else _("%(user)s was deactivated.")
        messages.success(request, text % {"user": user})
    return redirect("setup:user", user.pk)


@admin_only
@require_POST
def user_hand_over_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = HandOverForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, _("Choose an active user to hand the records to."))
        return redirect("setup:user", user.pk)
    to = form.cleaned_data["to"]
    try:
        done = user_hand_over(actor=request.user, user=user, to=to)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "%(to)s now has %(user)s's records: %(leads)d leads, %(deals)d deals, "
                "%(persons)d persons, %(organizations)d organizations and %(activities)d "
                "open activities."
            )
            % {
                "to": to,
                "user": user,
                "leads": done.leads,
                "deals": done.deals,
                "persons": done.persons,
                "organizations": done.organizations,
                "activities": done.activities,
            },
        )
    return redirect("setup:user", user.pk)
