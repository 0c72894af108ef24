"""What AIOM holds about whether an action's message or Odoo write went out, for the person
resolving an unknown outcome: the outbound record (written before anything left) and the ids
to look for in a sent-mail folder, the email provider or the SMS gateway."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from .fields import Channel
from .models import Action, LedgerStatus, OutboundRecord


@dataclass(frozen=True)
class Evidence:
    channel: str
    status: str
    created_at: datetime
    updated_at: datetime
    #: What the provider answered (SMTP Message-ID, provider or gateway id); empty when no answer came.
    external_id: str
    #: What to search for when no answer came: the Message-ID every email of this action carries.
    look_for: str
    error: str
    #: False only when AIOM knows nothing left (the last try failed before sending).
    may_have_left: bool


def evidence_for(action: Action) -> Evidence | None:
    record = OutboundRecord.objects.filter(action=action).first()
    if record is None:
        return None
    look_for = f"<{action.pk}@{settings.AIOM_MESSAGE_ID_DOMAIN}>" if record.channel == Channel.EMAIL else ""
    return Evidence(channel=record.get_channel_display(), status=record.get_status_display(),
                    created_at=record.created_at, updated_at=record.updated_at, external_id=record.external_id,
                    look_for=look_for, error=str(record.detail.get("error", "")),
                    may_have_left=record.status != LedgerStatus.NOT_SENT)
