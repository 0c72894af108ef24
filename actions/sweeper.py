"""The sweeper: what the broker lost, the database still knows.

Beat runs it every few minutes (`aiom.actions.sweep`, `manage.py dispatch_actions`): it
re-enqueues every approved action that is due, and finds executions whose worker died (their
lease ran out) — an interrupted send becomes `outcome_unknown`, anything else runs again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import EventType

from . import dispatch, execution, lifecycle
from .fields import OUTSIDE_CHANNELS
from .models import Action, ActionStatus, LedgerStatus, OutboundRecord

logger = logging.getLogger(__name__)

S = ActionStatus


@dataclass
class SweepReport:
    due: list = field(default_factory=list)
    released: int = 0
    unknown: int = 0

    def __str__(self) -> str:
        return f"{len(self.due)} due, {self.released} stuck executions released, {self.unknown} outcome unknown"


def sweep(now: datetime | None = None) -> SweepReport:
    """Find approved actions that are due, and executions whose worker died.

    Safe to run twice at once: every change is a conditional transition, so each stuck action
    is released (or marked unknown) by exactly one sweeper.
    """
    now = now or timezone.now()
    report = SweepReport()
    stuck = Action.objects.select_related("organization").filter(status=S.EXECUTING, lease_expires_at__lt=now)
    for action in stuck.iterator(chunk_size=200):
        record = OutboundRecord.objects.filter(action=action, status=LedgerStatus.SENDING).first()
        try:
            if record is not None and record.channel in OUTSIDE_CHANNELS:
                with transaction.atomic():
                    execution.mark_outcome_unknown(action, record, "worker lost during send")
                report.unknown += 1
            else:
                lifecycle.transition(action, S.APPROVED, event_type=EventType.REQUEUED,
                                     reason="The worker stopped before finishing; running it again.",
                                     lease_expires_at=None)
                report.released += 1
        except lifecycle.StaleTransition:
            continue
    report.due = list(Action.objects.filter(status=S.APPROVED).exclude(not_before__gt=now)
                      .order_by("decided_at").values_list("pk", flat=True))
    return report


def sweep_and_enqueue(now: datetime | None = None) -> SweepReport:
    report = sweep(now)
    for action_id in report.due:
        dispatch.enqueue(action_id)
    if report.due or report.released or report.unknown:
        logger.info("sweeper: %s", report)
    return report
