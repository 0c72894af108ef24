"""One contact budget per customer: at most N messages (email and SMS together) in D days,
whatever sent them — invoice reminders, deal follow-ups, the assistant, thank-you notes.

Counted from the outbound records (a message in flight counts as sent), so the executor, which
asks under the policy lock right before it records a send, and the follow-up engine, which asks
before proposing, agree on what the customer already got.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .fields import Channel
from .models import GuardrailPolicy, LedgerStatus, OutboundRecord

MESSAGE_CHANNELS = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True)
class Budget:
    sent: int
    cap: int
    days: int
    #: When the next message may go; None while one may go now.
    next_allowed_at: datetime | None = None
    zone: str = "UTC"

    @property
    def spent(self) -> bool:
        return self.next_allowed_at is not None

    def outlives(self, expires_at: datetime) -> bool:
        """The budget frees only once an action expiring at `expires_at` can no longer run."""
        return self.next_allowed_at is not None and self.next_allowed_at >= expires_at

    def reason(self, *, waiting: bool = True, expires_at: datetime | None = None) -> str:
        """Why a message does not go, in words an approver reads on the action."""
        text = (f"This customer already got {self.sent} message{'s' if self.sent != 1 else ''} in the last "
                f"{self.days} days (the most the guardrails allow)")
        if not waiting or self.next_allowed_at is None:
            return text + "."
        local = self.next_allowed_at.astimezone(ZoneInfo(self.zone))
        when = f"{local:%a %d %b %Y, %H:%M} ({self.zone})"
        if expires_at is not None and self.outlives(expires_at):
            return f"{text}; the next may go on {when}, after this action expires, so it was not sent."
        return f"{text}; waiting until {when}."


def contact_budget(organization, partner_id: int | None, now: datetime, *, policy: GuardrailPolicy | None = None,
                   exclude_action=None) -> Budget:
    """How many messages `partner_id` got within the policy's days before `now`, and when the
    next one may go (None: now). `policy` is the locked row when the executor asks."""
    policy = policy or GuardrailPolicy.objects.get(organization=organization)
    cap, days = policy.contact_cap_messages, max(1, policy.contact_cap_days)
    if not partner_id or not cap:
        return Budget(0, cap, days, zone=policy.zone)
    window = timedelta(days=days)
    recent = (OutboundRecord.objects
              .filter(organization=organization, partner_id=partner_id, channel__in=MESSAGE_CHANNELS,
                      status__in=[LedgerStatus.SENDING, LedgerStatus.SENT], created_at__gt=now - window))
    if exclude_action is not None:
        recent = recent.exclude(action_id=exclude_action)
    times = list(recent.order_by("created_at").values_list("created_at", flat=True))
    if len(times) < cap:
        return Budget(len(times), cap, days, zone=policy.zone)
    # A message may go once enough of the oldest ones have left the window.
    return Budget(len(times), cap, days, times[len(times) - cap] + window, zone=policy.zone)
