"""What holds a follow-up back for the customer's sake rather than its own schedule: the contact
budget every message to one customer shares (the guardrails' "at most N messages in D days"),
and, when a sequence asks for it, a negotiation going on in Odoo.

The engine asks before it proposes a message level or a deal email: with the budget spent it
proposes nothing, moves the follow-up's next day to when the budget frees and says so once in its
history. A customer whose open deal changed in the last 14 days has its invoice follow-up paused
(a level waiting for approval is withdrawn); it resumes by itself once the deal is won, lost or
quiet, as the engine's other holds do. The executor keeps the same budget when it sends.
"""

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from django.db import transaction

from actions.contact_budget import contact_budget
from aiom.text import one_line
from analyzers.base import many2one_id, odoo_datetime
from analyzers.financial import partner_zone
from analyzers.odoo_text import neutral_name

from .models import EventKind, FollowUpStatus, LevelChannel
from .steps import event, withdraw_pending

#: The levels that write to the customer, and so spend the budget.
MESSAGE_LEVELS = (LevelChannel.EMAIL, LevelChannel.SMS)
#: A deal changed this recently is being negotiated; after this long without a change it is quiet.
NEGOTIATION_QUIET_DAYS = 14
NEGOTIATION = "In negotiation: "
RESUMED = (f"Resumed: the negotiation is over (the deal was won, lost or quiet for {NEGOTIATION_QUIET_DAYS} "
           "days).")
PAGE_SIZE = 500


# --- the contact budget -------------------------------------------------------------------------

def wait_for_budget(ctx, follow_up, partner_id: int | None) -> bool:
    """True when the customer already got as many messages as the guardrails allow: nothing is
    proposed, the follow-up is next due when the budget frees, and its history says why (once)."""
    budget = contact_budget(ctx.organization, partner_id, ctx.now, policy=ctx.policy)
    if not budget.spent:
        return False
    follow_up.next_due_at = budget.next_allowed_at
    latest = follow_up.events.order_by("-at", "-id").first()
    if latest is None or latest.kind != EventKind.WAITING:
        local = budget.next_allowed_at.astimezone(ZoneInfo(ctx.policy.zone))
        event(follow_up, EventKind.WAITING,
              f"Waiting: this customer already got {budget.sent} message{'s' if budget.sent != 1 else ''} in "
              f"{budget.days} days, the most the guardrails allow; the next level may be proposed from "
              f"{local:%d %b %Y, %H:%M}.", ctx.now, until=budget.next_allowed_at.isoformat(), sent=budget.sent)
    return True


# --- the customer's time zone --------------------------------------------------------------------

class Zones:
    """The customers' own time zones (Odoo's `tz`), read once for all of them when first asked;
    "" for one without a usable zone (the organisation's applies)."""

    def __init__(self, odoo, partner_ids):
        self.odoo, self.partner_ids, self.found = odoo, sorted({p for p in partner_ids if p}), None

    def get(self, partner_id: int | None) -> str:
        if self.found is None:
            rows = self.odoo.iter_search_read("res.partner", [("id", "in", self.partner_ids)], ["tz"],
                                              page_size=PAGE_SIZE) if self.partner_ids else []
            self.found = {row["id"]: partner_zone(row.get("tz")) for row in rows}
        return self.found.get(partner_id, "")


# --- negotiations --------------------------------------------------------------------------------

def negotiations(ctx, partner_ids) -> dict[int, dict]:
    """The latest open opportunity (active, probability strictly between 0 and 100) changed in the
    last 14 days of each of these customers, by customer: one Odoo read for all of them."""
    if not partner_ids:
        return {}
    since = (ctx.now - timedelta(days=NEGOTIATION_QUIET_DAYS)).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    domain = [("type", "=", "opportunity"), ("active", "=", True), ("partner_id", "in", sorted(partner_ids)),
              ("probability", ">", 0), ("probability", "<", 100), ("write_date", ">=", since)]
    latest: dict[int, dict] = {}
    for row in ctx.odoo.iter_search_read("crm.lead", domain, ["name", "partner_id", "write_date"], page_size=PAGE_SIZE):
        partner_id, changed = many2one_id(row["partner_id"]), odoo_datetime(row["write_date"])
        if partner_id is None or changed is None:
            continue
        if partner_id not in latest or changed > latest[partner_id]["changed"]:
            latest[partner_id] = {"id": row["id"], "name": row["name"], "changed": changed}
    return latest


def held_for_negotiation(follow_up) -> bool:
    return follow_up.status == FollowUpStatus.PAUSED and follow_up.reason.startswith(NEGOTIATION)


def hold_for_negotiation(ctx, follow_up, customer, deal: dict | None, report, *, held_by_engine: bool) -> bool:
    """True when the follow-up waits for the negotiation `deal` (None: there is none). A follow-up
    a person paused, or a reply paused, stays as it is: `held_by_engine` says the engine paused it."""
    if deal is None or (follow_up.status == FollowUpStatus.PAUSED and not held_by_engine
                        and not held_for_negotiation(follow_up)):
        return False
    changed = deal["changed"].astimezone(ZoneInfo(ctx.policy.zone))
    name = one_line(neutral_name(deal["name"], f"deal #{deal['id']}"), 150)
    reason = (f"{NEGOTIATION}{name} changed on {changed:%d %b %Y}; reminders wait until it is won, lost or quiet "
              f"for {NEGOTIATION_QUIET_DAYS} days.")
    starting = not held_for_negotiation(follow_up)
    with transaction.atomic():
        follow_up.status, follow_up.reason, follow_up.invoices = FollowUpStatus.PAUSED, reason, customer.invoices
        follow_up.next_due_at = follow_up.paused_until = None
        follow_up.save(update_fields=["status", "reason", "invoices", "next_due_at", "paused_until", "updated_at"])
        if starting:
            event(follow_up, EventKind.PAUSED, reason, ctx.now, deal_id=deal["id"])
    if starting:
        withdraw_pending(follow_up, reason)
        report.paused.append(follow_up.pk)
    return True
