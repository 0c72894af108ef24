"""What the follow-up pages and API read: the organisation's follow-ups (filtered, newest due
first), one follow-up with its history and promises, the sequences with their levels, and how a
level and a follow-up's progress read in words. Queries and plain values only: the services
change things."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch, Q, QuerySet

from actions.models import GuardrailPolicy
from aiom.errors import ApplicationError, Conflict

from .models import (EventKind, FollowUp, FollowUpEvent, Hold, Level, LevelChannel, OffsetFrom, PartnerOverride,
                     Promise, Sequence, SequenceKind, Wording)

CHANNEL_WORDS = {LevelChannel.EMAIL: "email", LevelChannel.SMS: "SMS", LevelChannel.TASK: "staff task",
                 LevelChannel.CALL: "call activity"}
WORDING_WORDS = {Wording.COURTESY: "courtesy", Wording.FRIENDLY: "friendly", Wording.FIRM: "firm",
                 Wording.FINAL: "final notice"}


def zone_of(organization) -> ZoneInfo:
    """The zone the engine plans in (the guardrails' zone, else the organisation's)."""
    policy = GuardrailPolicy.objects.filter(organization=organization).only("timezone").first()
    return ZoneInfo((policy.timezone if policy else "") or organization.timezone)


# --- queries -----------------------------------------------------------------------------------

def _with_sequence(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("sequence", "last_action").prefetch_related("sequence__levels")


def follow_ups_listed(*, organization, status: str = "", partner: int | None = None, due_before: date | None = None,
                      q: str = "") -> QuerySet:
    """The organisation's follow-ups, the latest next due date first (those with none last).
    `due_before`: the next level falls due before that day starts, in the organisation's zone."""
    follow_ups = _with_sequence(FollowUp.objects.filter(organization=organization))
    if status:
        follow_ups = follow_ups.filter(status=status)
    if partner:
        follow_ups = follow_ups.filter(partner_id=partner)
    if due_before:
        follow_ups = follow_ups.filter(
            next_due_at__lt=datetime.combine(due_before, time.min, tzinfo=zone_of(organization)))
    if q and q.strip():
        follow_ups = follow_ups.filter(target_name__icontains=q.strip())
    return follow_ups.order_by(F("next_due_at").desc(nulls_last=True), "-pk")


def follow_up_detail(*, organization, pk) -> FollowUp | None:
    """One of the organisation's follow-ups with its history (newest first, with who) and its
    promises (newest first); None for anyone else's."""
    return (_with_sequence(FollowUp.objects.filter(organization=organization, pk=pk))
            .prefetch_related(Prefetch("events", queryset=FollowUpEvent.objects.select_related("user")
                                       .order_by("-at", "-pk")),
                              Prefetch("promises", queryset=Promise.objects.select_related("created_by")
                                       .order_by("-created_at", "-pk")))
            .first())


def sequences_listed(*, organization) -> QuerySet:
    return Sequence.objects.filter(organization=organization).prefetch_related("levels").order_by(
        "kind", "-is_default", "name", "pk")


def sequence_detail(*, organization, pk) -> Sequence | None:
    return sequences_listed(organization=organization).filter(pk=pk).first()


def customer_disputes(follow_up: FollowUp) -> list[Hold]:
    """The unresolved disputes on this customer's invoices (they are no longer among those chased)."""
    if follow_up.target_model != "res.partner":
        return []
    return list(Hold.objects.filter(organization=follow_up.organization_id, kind="dispute",
                                    partner_id=follow_up.target_id, resolved_at__isnull=True).order_by("created_at"))


def customer_dispute(follow_up: FollowUp, hold_pk: int) -> Hold | None:
    return next((hold for hold in customer_disputes(follow_up) if hold.pk == hold_pk), None)


def active_holds(organization, today: date) -> QuerySet:
    """The holds the engine keeps to today (unresolved, not past their last day), oldest first."""
    return Hold.objects.filter(organization=organization, resolved_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=today)).select_related("created_by").order_by("created_at", "pk")


def active_customer_holds(organization, today: date, *, partner_id: int) -> list[Hold]:
    """This customer's holds on all its invoices (not one invoice's), as the engine counts them today."""
    return list(active_holds(organization, today).filter(partner_id=partner_id, invoice_id__isnull=True))


def active_hold(organization, today: date, pk: int) -> Hold | None:
    return active_holds(organization, today).filter(pk=pk).first()


def overrides_listed(*, organization) -> QuerySet:
    return PartnerOverride.objects.filter(organization=organization).select_related("sequence").order_by(
        "partner_id", "pk")


def override_for(*, organization, partner_id: int | None) -> PartnerOverride | None:
    if partner_id is None:
        return None
    return overrides_listed(organization=organization).filter(partner_id=partner_id).first()


def invoice_sequences(*, organization) -> list[Sequence]:
    """The sequences a customer's invoices may be chased on, the default first."""
    return list(Sequence.objects.filter(organization=organization, kind=SequenceKind.INVOICES).order_by(
        "-is_default", "name", "pk"))


def known_customers(*, organization, limit: int = 500) -> dict[int, str]:
    """Customers the organisation has chased (partner id → the name AIOM showed, neutralised when
    read), the most recently started first."""
    names: dict[int, str] = {}
    for partner_id, name in (FollowUp.objects.filter(organization=organization, target_model="res.partner")
                             .order_by("-started_at", "-pk").values_list("target_id", "target_name")[:limit * 4]):
        if partner_id not in names and len(names) < limit:
            names[partner_id] = name or f"customer #{partner_id}"
    return names


def open_disputes(organization, invoice_ids: list[int]) -> dict[int, Hold]:
    """The unresolved disputes on these invoices, by invoice id."""
    return {hold.invoice_id: hold for hold in Hold.objects.filter(
        organization=organization, kind="dispute", invoice_id__in=invoice_ids, resolved_at__isnull=True)}


# --- in words ----------------------------------------------------------------------------------

def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def when_in_words(level: Level) -> str:
    """When a level falls due, as planning computes it: the first level counts from the anchor
    whatever it says (the oldest due date for invoices, the day the follow-up started for a deal)."""
    days = level.offset_days
    if level.offset_from == OffsetFrom.PREVIOUS and level.position > 0:
        anchor = "the previous level"
        if days == 0:
            return "the same day as the previous level"
    elif level.sequence.kind == SequenceKind.DEALS:
        anchor = "the follow-up starts"
        if days == 0:
            return "the day the follow-up starts"
    else:
        anchor = "the due date"
        if days == 0:
            return "on the due date"
    return f"{_days(abs(days))} {'after' if days > 0 else 'before'} {anchor}"


def level_in_words(level: Level) -> str:
    """ "3 days after the due date · email · friendly" """
    return " · ".join((when_in_words(level), CHANNEL_WORDS.get(level.channel, level.channel),
                       WORDING_WORDS.get(level.wording, level.wording)))


def levels_of(follow_up: FollowUp) -> list[Level]:
    return list(follow_up.sequence.levels.all())


def next_level(follow_up: FollowUp) -> Level | None:
    """The level that comes next; None once every level has been sent."""
    levels = levels_of(follow_up)
    return levels[follow_up.level] if follow_up.level < len(levels) else None


def chases_invoices(follow_up: FollowUp) -> bool:
    """A customer's follow-up chases invoices; a deal's follows up the deal (promises and
    disputes are about invoices)."""
    return follow_up.target_model == "res.partner"


def ensure_open_for_invoices(follow_up: FollowUp) -> None:
    """Promises and disputes are about the invoices of a follow-up still open."""
    if not chases_invoices(follow_up):
        raise ApplicationError("Promises to pay and disputes are about invoices; this follow-up is about a deal.")
    if not follow_up.open:
        raise Conflict(f"This follow-up is already {follow_up.get_status_display().lower()}.")


def chased(follow_up: FollowUp) -> list[dict]:
    """The invoices chased, as last read from Odoo (none for a deal)."""
    return [invoice for invoice in follow_up.invoices if "residual" in invoice] if chases_invoices(follow_up) else []


def open_amount(follow_up: FollowUp) -> Decimal:
    return sum((Decimal(str(invoice["residual"])) for invoice in chased(follow_up)), Decimal("0.00"))


def currency(follow_up: FollowUp) -> str:
    invoices = chased(follow_up)
    return str(invoices[0].get("currency") or "") if invoices else ""


def money(amount, currency_name: str) -> str:
    return f"{Decimal(str(amount)):,.2f} {currency_name}".strip()


def local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None


@dataclass(frozen=True)
class Row:
    """One follow-up as the list shows it."""

    follow_up: FollowUp
    next_level: Level | None
    next_due: date | None
    open_amount: str


def row(follow_up: FollowUp, zone: ZoneInfo) -> Row:
    return Row(follow_up, next_level(follow_up), local_day(follow_up.next_due_at, zone),
               money(open_amount(follow_up), currency(follow_up)) if chased(follow_up) else "")


@dataclass(frozen=True)
class LevelProgress:
    """Where a follow-up stands on one level of its sequence."""

    level: Level
    words: str
    #: done (proposed), skipped (nobody to reach), passed (its day had gone when the follow-up
    #: started), next, later
    state: str
    note: str = ""


def progress(follow_up: FollowUp, zone: ZoneInfo) -> list[LevelProgress]:
    """Each level of the follow-up's sequence with what became of it."""
    skipped = {event.detail.get("level"): event.text for event in follow_up.events.all()
               if event.kind == EventKind.SKIPPED}
    rows = []
    for level in levels_of(follow_up):
        sent = follow_up.sent.get(str(level.position))
        if sent is not None and level.position in skipped:
            state, note = "skipped", skipped[level.position]
        elif sent is not None:
            state, note = "done", f"Proposed {datetime.fromisoformat(sent).astimezone(zone):%d %b %Y}"
        elif level.position < follow_up.level:
            state, note = "passed", "Not sent: its day had passed when the follow-up started, or it was put " \
                                    "before a level already had"
        elif level.position == follow_up.level and follow_up.open:
            due = local_day(follow_up.next_due_at, zone)
            state, note = "next", f"Due {due:%d %b %Y}" if due else "Due once the previous level is sent"
        else:
            state, note = "later", ""
        rows.append(LevelProgress(level, level_in_words(level), state, note))
    return rows


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    name: str
    residual: float
    currency: str
    due: date
    days_overdue: int
    dispute: Hold | None

    @property
    def open_amount(self) -> str:
        return money(self.residual, self.currency)


def invoices(follow_up: FollowUp, today: date, *, with_disputes: bool = True) -> list[InvoiceRow]:
    """The invoices chased (as last read from Odoo), days overdue counted to `today`, with their
    open disputes (one query) unless `with_disputes` is false."""
    ids = [invoice["id"] for invoice in chased(follow_up)]
    disputes = open_disputes(follow_up.organization_id, ids) if with_disputes and ids else {}
    rows = []
    for invoice in chased(follow_up):
        due = date.fromisoformat(invoice["due"])
        rows.append(InvoiceRow(invoice["id"], invoice["name"], invoice["residual"], str(invoice.get("currency") or ""),
                               due, (today - due).days, disputes.get(invoice["id"])))
    return rows


def actor(event: FollowUpEvent) -> str:
    return event.user.get_username() if event.user_id else "AIOM"
