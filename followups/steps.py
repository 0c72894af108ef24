"""Small steps the invoice and deal follow-ups share: history entries, withdrawing a level
still waiting for approval, when a level is open, and the hour levels fall due."""

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from actions import services as action_services
from actions.fields import Source
from actions.models import Action, ActionStatus

from .models import FollowUp, FollowUpEvent

logger = logging.getLogger(__name__)


def event(follow_up, kind: str, text: str, now, **detail) -> None:
    FollowUpEvent.objects.create(follow_up=follow_up, at=now, kind=kind, text=text[:500], detail=detail)


def withdraw_pending(follow_up: FollowUp, reason: str) -> None:
    """A level still waiting for approval no longer applies; approved ones are stopped by their
    own checks when they run."""
    for action in Action.objects.filter(organization=follow_up.organization, source=Source.FOLLOW_UP,
                                        status=ActionStatus.PENDING_APPROVAL,
                                        protocol__metadata__follow_up_id=follow_up.pk).select_related("organization"):
        try:
            action_services.cancel(action, reason=reason)
        except Exception:  # noqa: BLE001 - decided meanwhile: nothing to withdraw
            logger.info("follow-up %s: action %s was decided meanwhile", follow_up.pk, action.pk)


def morning(day: date, ctx) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(ctx.policy.zone))


def level_open(follow_up: FollowUp) -> bool:
    """The last level is still waiting for a decision: the next one waits for it."""
    return bool(follow_up.last_action_id) and Action.objects.filter(
        pk=follow_up.last_action_id, status=ActionStatus.PENDING_APPROVAL).exists()
