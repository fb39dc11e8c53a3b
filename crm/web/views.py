"""The pages every user has: the home page and the profile."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.models import User

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 5
# Enough digits to be a phone number being typed, not a year or a house number.
PHONE_MIN_DIGITS = 5
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]+$")


def home(request: HttpRequest) -> HttpResponse:
    return redirect("leads:inbox")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]
        labels = {"language": _("Language")}


def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The middleware ran before the change: answer in the newly chosen language at once.
        translation.activate(user.language or translation.get_language_from_request(request))
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "crm/profile.html", {"form": form})


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Set a password through a one-time link (an invitation or a reset by an admin).

    Django's password-reset tokens: the link dies once the password is set. A deactivated
    user's link leads nowhere.
    """

    template_name = "registration/password_set.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set: log in with it."))
        return super().form_valid(form)
