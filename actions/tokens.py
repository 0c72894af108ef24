"""The signed tokens behind one-click approval links: making one, its URL, its digest, and
reading back what it claims.

A token is signed (`django.core.signing`, a salt of its own) and names one action, one
decision, one approver, the organisation and the revision (`protocol_hash`) the person was
shown. Whether it may still decide is `approval_links.verify`'s question; this module only
reads and writes tokens, so the messages that carry them need nothing else from the actions.

Tokens are credentials: they are never stored or logged, only their digest is.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Action, Decision

SALT = "aiom.actions.approval-link"
#: Longer input is refused before the signature is even checked.
MAX_TOKEN_LENGTH = 1000


@dataclass(frozen=True)
class Claims:
    """What a token with a valid signature says; not yet checked against the database."""

    action_id: uuid.UUID
    decision: str
    user_id: int
    organization_id: int
    protocol_hash: str
    expires_at: datetime


def make_token(action: Action, user, decision: str) -> str:
    payload = {"a": str(action.pk), "d": Decision(decision).value, "u": user.pk, "o": action.organization_id,
               "h": action.protocol_hash, "e": int(action.expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT)


def link_url(token: str) -> str:
    """The absolute URL of a token's confirmation page."""
    return settings.APP_URL + reverse("approval-link", args=[token])


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def claims(token: str) -> Claims | None:
    """The token's claims, or None when it is empty, too long, forged or malformed."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=SALT)
        return Claims(action_id=uuid.UUID(data["a"]), decision=Decision(data["d"]).value, user_id=int(data["u"]),
                      organization_id=int(data["o"]), protocol_hash=str(data["h"]),
                      expires_at=datetime.fromtimestamp(int(data["e"]), tz=UTC))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
