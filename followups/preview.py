"""What a level would send, for a real customer of the organisation's Odoo: the sequence page
shows it beside each level so an administrator reads the message before saving the wording.

The text comes from `proposals._compose`, the very call the engine makes when it proposes a
level, so the preview cannot drift from what is sent."""

from dataclasses import dataclass
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from actions import guardrails
from analyzers.messages import DoesNotFit
from integrations.errors import ExternalError
from integrations.odoo.connections import client_for

from . import proposals, reading
from .models import LevelChannel, Wording

UNREACHABLE = ("Odoo could not be reached, so no message can be shown for a real invoice now. "
               "The levels can still be edited and saved.")
NO_CUSTOMER = "No customer has an open invoice in Odoo right now, so there is nothing to show a message for."
NOT_A_MESSAGE = {LevelChannel.TASK: "A staff task in Odoo: nothing is sent to the customer.",
                 LevelChannel.CALL: "A call activity in Odoo: nothing is sent to the customer."}


@dataclass(frozen=True)
class Preview:
    """One level's message, or why there is none (`note`)."""

    channel: str
    wording: str
    subject: str | None = None
    body: str = ""
    note: str = ""
    invoice_names: tuple = ()


class Source:
    """The customer every preview of one page is written for, read from Odoo once; `problem`
    says in words why there is none."""

    def __init__(self, organization, *, lead_days: int = 0):
        self.organization = organization
        self.policy = guardrails.policy_for(organization)
        self.customer, self.problem = None, ""
        try:
            odoo = client_for(organization)
            odoo.retries = 0  # someone waits for the page: an Odoo that does not answer is said at once
            try:
                today = timezone.now().astimezone(ZoneInfo(self.policy.zone)).date()
                customers = reading.customers_with_open_invoices(odoo, today=today, lead_days=lead_days)
            finally:
                odoo.close()
        except (ExternalError, OSError):
            self.problem = UNREACHABLE
            return
        if not customers:
            self.problem = NO_CUSTOMER
            return
        self.customer = customers[min(customers)]

    def preview(self, channel: str, wording: str) -> Preview:
        if channel in NOT_A_MESSAGE:
            return Preview(channel, wording, note=NOT_A_MESSAGE[channel])
        if self.customer is None:
            return Preview(channel, wording, note=self.problem)
        ctx = SimpleNamespace(organization=self.organization, policy=self.policy)
        level = SimpleNamespace(wording=wording, channel=channel)
        try:
            composed = proposals._compose(ctx, proposals.TYPE_FOR_CHANNEL[channel], self.customer, level)
        except DoesNotFit:
            return Preview(channel, wording, note="The invoices of this customer do not fit in one SMS with this "
                                                  "wording; the engine would not send it.")
        return Preview(channel, wording, composed.subject, composed.body,
                       invoice_names=tuple(invoice["name"] for invoice in self.customer.invoices))


def valid(channel: str, wording: str) -> bool:
    return channel in LevelChannel.values and wording in Wording.values
