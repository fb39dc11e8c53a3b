"""The login forms of the site and of Django's admin: a locked login is told why.

The lock itself is enforced by the authentication backend (crm.login_limits); these forms
ask first, so the person reads "too many failed logins, try again in N minutes" instead of
"wrong password", and a locked attempt does not even reach the password check.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from crm.login_limits import login_lockout


class _LimitedLogin:
    request: object
    cleaned_data: dict

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            lockout = login_lockout(request=self.request, username=username)
            if lockout is not None:
                raise forms.ValidationError(lockout.message, code="locked_out")
        return super().clean()


class LoginForm(_LimitedLogin, AuthenticationForm):
    pass


class AdminLoginForm(_LimitedLogin, AdminAuthenticationForm):
    pass
