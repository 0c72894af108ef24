"""What a policy rule may ask about an action, gathered once per judgement: its type, risk,
channel and source, the amount, the partner (id, country, tags as an analysis last read them
from Odoo), the email recipients' domains, the local moment and how overdue it is.

A fact AIOM does not know (a partner no analysis has read yet, no amount) is None, never a
guess: `evaluate.matches` decides such a condition the strict way.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..fields import Channel, RiskLevel
from ..models import GuardrailPolicy
from ..protocol import ActionProtocol
from ..types import SafeOperation
from .models import PartnerFacts

logger = logging.getLogger(__name__)

#: Ids per Odoo call when reading partners, countries and tags (one call per page, never per record).
PAGE_SIZE = 500


@dataclass(frozen=True)
class Facts:
    action_type: str
    risk_level: RiskLevel
    channel: Channel
    source: str
    amount: Decimal | None
    partner_id: int | None
    #: "" when known to have none (no partner, or no country in Odoo); None when unknown.
    partner_country: str | None
    #: Lower case; empty when known to have none; None when unknown.
    partner_tags: frozenset[str] | None
    recipient_domains: frozenset[str]
    local_time: datetime
    days_overdue: int | None


def amount_involved(protocol: ActionProtocol) -> Decimal | None:
    """The amount an action concerns: metadata "amount", else the size of the revenue change."""
    amount = protocol.metadata.get("amount")
    if amount is None and protocol.estimated_impact and protocol.estimated_impact.revenue_change is not None:
        amount = abs(protocol.estimated_impact.revenue_change)
    try:
        return None if amount is None else Decimal(str(amount))
    except ArithmeticError:
        return None


def partner_of(protocol: ActionProtocol) -> int | None:
    """The Odoo partner an action is for: its inputs' partner, else the first recipient's."""
    partner = getattr(protocol.operation.inputs, "partner_id", None)
    if partner is None:
        partner = next((effect.recipient_partner_id for effect in protocol.external_effects
                        if effect.recipient_partner_id), None)
    return partner


def days_overdue_of(protocol: ActionProtocol) -> int | None:
    """Metadata "days_overdue": a number, or one per invoice chased (the most overdue counts).
    Metadata holds no objects, so invoices can only tell it this way."""
    value = protocol.metadata.get("days_overdue")
    if isinstance(value, list):
        numbers = [item for item in value if _number(item)]
        value = max(numbers) if numbers else None
    return int(value) if _number(value) else None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def recipient_domains_of(protocol: ActionProtocol) -> frozenset[str]:
    if protocol.safe_operation != SafeOperation.SEND_EMAIL:
        return frozenset()
    inputs = protocol.operation.inputs
    return frozenset(str(address).rpartition("@")[2].strip().lower() for address in [*inputs.to, *inputs.cc])


def policy_of(organization) -> GuardrailPolicy:
    policy, _ = GuardrailPolicy.objects.select_related("organization").get_or_create(organization=organization)
    return policy


def build_facts(protocol: ActionProtocol, *, at: datetime, zone: str, known: PartnerFacts | None) -> Facts:
    """The facts of one action from what is already loaded (no query): `known` is the partner's
    PartnerFacts row, if any."""
    partner = partner_of(protocol)
    if partner is None:
        country, tags = "", frozenset()
    elif known is None:
        country, tags = None, None
    else:
        country = (known.country_code or "").upper()
        tags = frozenset(str(tag).strip().lower() for tag in known.tags or [])
    return Facts(
        action_type=protocol.action_type,
        # As the guardrails will see it: never below the type's floor.
        risk_level=RiskLevel.highest(protocol.risk_level, protocol.spec.risk_floor),
        channel=Channel(protocol.spec.op.channel),
        source=str(protocol.source),
        amount=amount_involved(protocol),
        partner_id=partner,
        partner_country=country,
        partner_tags=tags,
        recipient_domains=recipient_domains_of(protocol),
        local_time=at.astimezone(ZoneInfo(zone)),
        days_overdue=days_overdue_of(protocol),
    )


def facts_for(organization, protocol: ActionProtocol, *, at: datetime, policy: GuardrailPolicy | None = None) -> Facts:
    """The facts of `protocol` at the moment `at`, in the policy's time zone: one query for the
    partner's facts (and one for the policy when not given)."""
    policy = policy or policy_of(organization)
    partner = partner_of(protocol)
    known = (PartnerFacts.objects.filter(organization=organization, partner_id=partner).first()
             if partner is not None else None)
    return build_facts(protocol, at=at, zone=policy.zone, known=known)


# ---------------------------------------------------------------------------------------------
# Refreshing what AIOM knows of partners, from Odoo


def refresh_partner_facts(organization, client, partner_ids) -> int:
    """Read the partners' countries and contact tags from Odoo (one call per model and page of
    ids) and store them; returns the rows written. Partners Odoo no longer has are left as they were."""
    ids = sorted({int(partner) for partner in partner_ids if partner})
    if not ids:
        return 0
    partners = _read_by_ids(client, "res.partner", ids, ["country_id", "category_id"])
    country_ids = {partner["country_id"][0] for partner in partners.values() if partner.get("country_id")}
    tag_ids = {tag for partner in partners.values() for tag in (partner.get("category_id") or [])}
    codes = {row["id"]: (row.get("code") or "").strip().upper()[:2]
             for row in _read_by_ids(client, "res.country", country_ids, ["code"]).values()}
    names = {row["id"]: (row.get("name") or "").strip().lower()
             for row in _read_by_ids(client, "res.partner.category", tag_ids, ["name"]).values()}
    now = timezone.now()
    rows = []
    for partner_id, partner in partners.items():
        country = partner["country_id"][0] if partner.get("country_id") else None
        tags = sorted({names[tag] for tag in (partner.get("category_id") or []) if names.get(tag)})
        rows.append(PartnerFacts(organization=organization, partner_id=partner_id, country_code=codes.get(country, ""),
                                 tags=tags, refreshed_at=now))
    PartnerFacts.objects.bulk_create(rows, update_conflicts=True, unique_fields=["organization", "partner_id"],
                                     update_fields=["country_code", "tags", "refreshed_at"])
    return len(rows)


def _read_by_ids(client, model: str, ids, fields: list[str]) -> dict[int, dict]:
    """Records by id, one call per page; missing ids are left out (a deleted partner is no error)."""
    ordered = sorted(set(ids))
    records = {}
    for start in range(0, len(ordered), PAGE_SIZE):
        page = ordered[start:start + PAGE_SIZE]
        for record in client.search_read(model, [("id", "in", page)], fields, context={"active_test": False}):
            records[record["id"]] = record
    return records
