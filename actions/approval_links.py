"""Deciding through one-click approval links (`/approvals/email/<token>/`) from emails and SMS.

A link's token (see `tokens`) stops working when the action expires, is decided, or is edited.
Mail gateways fetch every link in a message, so a token only opens a confirmation page; the
explicit POST from that page decides, and consumes the token (its SHA-256 in
`UsedApprovalLink`, a unique column) in the same transaction as the decision, so a link
decides at most once.

Tokens are credentials: they are never stored or logged, only their digest is.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from aiom.errors import ApplicationError, Conflict, NotAllowed
from audit.models import EventType
from audit.services import SYSTEM, Actor, append_event

from . import services
from .models import Action, ActionStatus, Decision, UsedApprovalLink
from .permissions import can_decide
from .tokens import claims, digest
from .types import LOGIN_REQUIRED_RISKS

logger = logging.getLogger(__name__)

CHANNEL = "email"


class Reason(enum.Enum):
    """Why a link was refused: a code for the audit trail, an HTTP status, words for the reader."""

    FORGED = ("forged", 400, "This approval link is not valid. It may have been changed, or cut short when it "
                             "was copied. Open the action from the dashboard instead.")
    WRONG_ORGANISATION = ("wrong_organisation", 404, "This link does not match any action you can decide on.")
    ALREADY_USED = ("already_used", 410, "This link has already been used. Each link works once; the decision "
                                         "it carried is recorded.")
    EXPIRED = ("expired", 410, "This action expired before it was decided. It will not run.")
    ALREADY_DECIDED = ("already_decided", 409, "This action has already been decided.")
    REVISED = ("revised", 409, "The action was edited after this link was sent, so the link no longer applies. "
                               "Review the new version in the dashboard.")
    NOT_ALLOWED = ("not_allowed", 403, "The person this link was sent to may no longer approve or reject actions "
                                       "in this organisation.")
    WRONG_DECISION = ("wrong_decision", 400, "This link was issued for a different decision.")
    WRONG_USER = ("wrong_user", 403, "This link was sent to someone other than the person signed in. Sign out, or "
                                     "decide in the dashboard.")

    def __init__(self, code: str, status: int, message: str):
        self.code, self.status, self.message = code, status, message


@dataclass(frozen=True)
class Refused:
    reason: Reason
    action: Action | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        return self.detail or self.reason.message


@dataclass(frozen=True)
class ApprovalLink:
    """A token that verified: what it lets its approver do, right now."""

    action: Action
    approver: object  # the user model
    decision: str
    protocol_hash: str
    digest: str

    @property
    def needs_login(self) -> bool:
        return self.action.risk_level in LOGIN_REQUIRED_RISKS

    def session_allows(self, user) -> bool:
        """Whether the request's user suffices: anyone for low/medium, the approver for high/critical."""
        return not self.needs_login or (user.is_authenticated and user.pk == self.approver.pk)

    def opened_by_someone_else(self, user) -> bool:
        """Signed in as another person: deciding would put the approver's name on their click."""
        return user.is_authenticated and user.pk != self.approver.pk


def wrong_user(link: ApprovalLink, user) -> Refused:
    return Refused(Reason.WRONG_USER, link.action,
                   f"This link was sent to {link.approver.get_username()}; you are signed in as "
                   f"{user.get_username()}. Sign out, or decide in the dashboard.")


class _AlreadyUsed(Conflict):
    """Another request consumed the same token first."""


def verify(token: str, *, now: datetime | None = None) -> ApprovalLink | Refused:
    """Check a token against the database as it is now. Reads only: safe for GET."""
    now = now or timezone.now()
    claimed = claims(token)
    if claimed is None:
        return Refused(Reason.FORGED)
    action = Action.objects.select_related("organization").filter(pk=claimed.action_id).first()
    if action is None:  # actions are never deleted: only a forger names an unknown one
        return Refused(Reason.FORGED)
    if action.organization_id != claimed.organization_id:
        return Refused(Reason.WRONG_ORGANISATION, action)
    token_digest = digest(token)
    if UsedApprovalLink.objects.filter(digest=token_digest).exists():
        return Refused(Reason.ALREADY_USED, action)
    if action.status == ActionStatus.EXPIRED or min(action.expires_at, claimed.expires_at) <= now:
        return Refused(Reason.EXPIRED, action)
    if action.status != ActionStatus.PENDING_APPROVAL:
        return Refused(Reason.ALREADY_DECIDED, action,
                       f"This action has already been decided: it is {action.get_status_display().lower()}.")
    if action.protocol_hash != claimed.protocol_hash:
        return Refused(Reason.REVISED, action)
    approver = get_user_model().objects.filter(pk=claimed.user_id).first()
    if approver is None or not can_decide(approver, action.organization):
        return Refused(Reason.NOT_ALLOWED, action)
    return ApprovalLink(action, approver, claimed.decision, claimed.protocol_hash, token_digest)


def decide(link: ApprovalLink, *, decision: str, reason: str = "") -> Action | Refused:
    """The POST from the confirmation page: consume the token and decide, in one transaction.

    Whatever refuses (wrong decision, a concurrent use of the same link, the services' own
    checks) is audited and returned; the transaction is rolled back, so nothing is half-done.
    """
    if decision != link.decision:
        return record_refusal(Refused(Reason.WRONG_DECISION, link.action))
    try:
        with transaction.atomic():
            _consume(link)
            if decision == Decision.APPROVE:
                return services.approve(link.action, link.approver, channel=CHANNEL, protocol_hash=link.protocol_hash)
            return services.reject(link.action, link.approver, reason=reason, channel=CHANNEL,
                                   protocol_hash=link.protocol_hash)
    except ApplicationError as exc:
        return record_refusal(_refusal_for(exc, link.action))


def log_refusal(refused: Refused) -> Refused:
    """Log a refusal, without the token. Opening a link (GET) stops here: it writes nothing."""
    action_id = refused.action.pk if refused.action else "-"
    logger.warning("approval link refused (%s) for action %s", refused.reason.code, action_id)
    return refused


def record_refusal(refused: Refused, *, actor: Actor = SYSTEM) -> Refused:
    """Log a refused decision and, when the action is known, add it to its organisation's
    audit trail. A forged token names no trustworthy organisation, so it is only logged."""
    log_refusal(refused)
    action = refused.action
    if action is not None:
        append_event(action.organization, event_type=EventType.TOKEN_REFUSED, actor=actor, action_id=action.pk,
                     data={"reason": refused.reason.code})
    return refused


def _consume(link: ApprovalLink) -> None:
    try:
        with transaction.atomic():
            UsedApprovalLink.objects.create(digest=link.digest, action=link.action, user=link.approver,
                                            decision=link.decision)
    except IntegrityError:
        raise _AlreadyUsed(Reason.ALREADY_USED.message) from None


def _refusal_for(exc: ApplicationError, action: Action) -> Refused:
    if isinstance(exc, _AlreadyUsed):
        return Refused(Reason.ALREADY_USED, action)
    if isinstance(exc, services.ActionExpired):
        return Refused(Reason.EXPIRED, action)
    if isinstance(exc, NotAllowed):
        return Refused(Reason.NOT_ALLOWED, action)
    if isinstance(exc, Conflict) and "current_hash" in exc.extra:
        return Refused(Reason.REVISED, action)
    if isinstance(exc, Conflict):  # decided meanwhile, or this person already decided this revision
        return Refused(Reason.ALREADY_DECIDED, action, exc.message)
    raise exc

