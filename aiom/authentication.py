"""How the API knows who is calling: `Authorization: Bearer <token>` or the browser session.

Token checks follow knox (a digest compared in constant time, looked up by the key's first
characters) with two differences: a revoked or expired token stays in the database and is
refused with a reason instead of being deleted, and failed attempts are counted per address so
guessing is throttled. A read-only token may not change anything (`TokenScopeAllows`);
deciding endpoints still check the owner's role in the organisation.
"""

from hmac import compare_digest

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions, permissions, throttling

from . import api_tokens
from .models import ApiToken

NOT_VALID = "This API token is not valid. Check that it was copied whole, or create a new one on the API tokens page."


def _rate(scope: str) -> str | None:
    # Read at each request (not at import) so a deployment's setting always applies.
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)


class AuthFailureThrottle(throttling.AnonRateThrottle):
    """Counts only failed token checks, per address."""

    scope = "auth"

    def get_rate(self):
        return _rate(self.scope)

    def blocked(self, request) -> bool:
        if self.rate is None:
            return False
        key = self.get_cache_key(request, None)
        now = self.timer()
        recent = [moment for moment in self.cache.get(key, []) if moment > now - self.duration]
        return len(recent) >= self.num_requests

    def count_failure(self, request) -> None:
        if self.rate is not None:
            self.allow_request(request, None)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BearerTokenAuthentication(TokenAuthentication):
    """Knox's token check, without deleting what it refuses; answers 401 with a reason."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not header or header[0].lower() != "bearer":
            return None  # another way of signing in (the session), or none
        guard = AuthFailureThrottle()
        if guard.blocked(request):
            raise exceptions.Throttled(detail="Too many failed attempts with API tokens from this address; "
                                              "try again in a minute.")
        try:
            if len(header) != 2:
                raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
            token = self._check(header[1])
        except exceptions.AuthenticationFailed:
            guard.count_failure(request)
            raise
        api_tokens.record_use(token, request.META.get("REMOTE_ADDR"))
        return token.user, token

    def _check(self, key: str) -> ApiToken:
        try:
            digest = hash_token(key)
        except (TypeError, ValueError):
            raise exceptions.AuthenticationFailed(NOT_VALID)
        candidates = ApiToken.objects.filter(token_key=key[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user")
        match = next((candidate for candidate in candidates if compare_digest(digest, candidate.digest)), None)
        if match is None:
            raise exceptions.AuthenticationFailed(NOT_VALID)
        state = match.state(timezone.now())
        if state != "active":
            raise exceptions.AuthenticationFailed(f"This API token has been {state}; create a new one on the API "
                                                  "tokens page.")
        if not match.user.is_active:
            raise exceptions.AuthenticationFailed("The account this API token belongs to is disabled.")
        return match


class TokenScopeAllows(permissions.BasePermission):
    """A read-only token reads; anything that changes something needs a token that may decide."""

    message = "This API token may only read. Create a token that may read and decide to do this."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken) or request.method in permissions.SAFE_METHODS:
            return True
        return token.can_decide


class WriteThrottle(throttling.UserRateThrottle):
    """Limits what one person (or one address, before signing in) may change per minute; reads
    are not counted."""

    scope = "write"

    def get_rate(self):
        return _rate(self.scope)

    def allow_request(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema how tokens are sent."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token from the dashboard's API tokens page."}
