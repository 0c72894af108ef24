"""Telling people about actions: approval requests for new pending actions (an email per
approver with one-click links, or a digest every N minutes; an SMS too for the risks that call
for it), an in-app notice for each approver when an action they approved ends, and an email
on failure or unknown outcome saying what to do; and a warning before a high-value action
expires undecided (`expiry`).

Sending happens in a worker after the change commits (`dispatch`), or here at once when the
broker is down. Every message to one address is a `NotificationRecord` written before it is
sent (`sending`); a failed send is logged, recorded and audited, and the action still waits
in the dashboard. Each channel's sends are one `notified` audit event; a digest adds one
`notified` event to each action it lists.
"""

from .digests import send_due_digests
from .dispatch import deliver, enqueue, notify_pending, notify_result
from .expiry import EXPIRY_WARNING, send_expiry_warnings
from .requests import sms_text
from .sending import APPROVAL_DIGEST, APPROVAL_REQUEST, RESULT

__all__ = ["APPROVAL_DIGEST", "APPROVAL_REQUEST", "EXPIRY_WARNING", "RESULT", "deliver", "enqueue", "notify_pending",
           "notify_result", "send_due_digests", "send_expiry_warnings", "sms_text"]
