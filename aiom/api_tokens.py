"""Per-person API tokens: created and revoked by their owner, shown once, stored as a digest.

A token acts for its owner with the owner's roles, never more: a read token can only read;
a decide token can also approve, reject, edit and propose where the owner's role allows it.
The organisation comes from the owner's memberships (`X-AIOM-Org` picks one). Use is
recorded (when, from which address) at most once a minute per token, so a busy client does
not turn every read into a write.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .errors import ApplicationError
from .models import ApiToken, TokenScope

#: The expiries people may choose, in days (None: until revoked).
EXPIRY_CHOICES = (30, 90, 365, None)
MAX_ACTIVE_TOKENS = 20
USE_RECORD_INTERVAL = timedelta(minutes=1)


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created")


def create_token(user, *, name: str, scope: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never shown again."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ApplicationError("Give the token a name of at most 100 characters, e.g. the script that will use it.")
    if scope not in TokenScope.values:
        raise ApplicationError("Choose what the token may do: read only, or read and decide.")
    if expires_in_days not in EXPIRY_CHOICES:
        raise ApplicationError("Choose an expiry of 30, 90 or 365 days, or none.")
    now = timezone.now()
    with transaction.atomic():
        active = [token for token in tokens_of(user).select_for_update() if token.state(now) == "active"]
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise ApplicationError(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use.")
        expiry = timedelta(days=expires_in_days) if expires_in_days else None
        return ApiToken.objects.create(user, expiry=expiry, name=name, scope=scope)


def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another person's token is not found."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise ApplicationError("No such token among yours.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def record_use(token: ApiToken, ip: str | None) -> None:
    now = timezone.now()
    if token.last_used_ip == ip and token.last_used_at and now - token.last_used_at < USE_RECORD_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at, token.last_used_ip = now, ip
