"""Throttles whose rates are read when a request comes (so `override_settings` reaches them).

DRF's own throttles copy the rates once at import; the rates here come from the environment
through settings (`API_THROTTLE_ANON`, `API_THROTTLE_USER`, `API_THROTTLE_TOKEN`; `none` turns
one off). They count per client address by DRF's rule with `NUM_PROXIES` trusted proxies
(settings; 0 by default, so a forged X-Forwarded-For buys no fresh requests); the login limits
use the same rule (crm.login_limits.client_address).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _RateFromSettings:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_RateFromSettings, UserRateThrottle):
    scope = "user"


class TokenThrottle(_RateFromSettings, SimpleRateThrottle):
    """Password guessing through the token endpoint: counted per client address."""

    scope = "token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
