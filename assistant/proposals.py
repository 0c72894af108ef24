"""Commands that become actions: each builds a complete Action Protocol from what Odoo says
and hands it to `actions.services.propose()`, so what a person asks for meets the same
guardrails, approvals, undo and executor as what the analyzers propose.

Ids, recipients and amounts come from Odoo records found by name (`lookup`), never from the
typed text; the text gives titles, notes and topics, which people write for themselves.
Messages to customers are laid out by the safe templates (`analyzers.messages`): a reminder is
exactly the one an analysis would propose for that invoice (Claude's prose when it passes every
check), and an email about a topic puts the topic in the facts block and Claude's or the
template's prose around it.
"""

import hashlib
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from actions import content, guardrails, types
from actions.fields import Source
from actions.models import GuardrailPolicy
from actions.protocol import parse_protocol
from actions.types import ActionType
from aiom.errors import ApplicationError
from aiom.text import one_line
from analyzers import drafting, financial, messages, rules
from analyzers.builders import next_working_day, outreach_checks
from analyzers.contacts import email_addresses
from analyzers.models import Finding
from analyzers.odoo_text import neutral_name
from analyzers.operations import staff_project
from analyzers.recommender import Context as RecommenderContext
from analyzers.recommender import protocol_for

from . import lookup


@dataclass
class ToolContext:
    organization: object
    user: object
    odoo: object
    policy: GuardrailPolicy
    now: datetime
    today: date
    #: The command, canonical (`parser.normalised`): with the person, it makes the idempotency key.
    normalised: str
    #: An anthropic client to use instead of the one the settings describe.
    model_client: object | None = None

    @property
    def created_by(self) -> str:
        return f"user:{self.user.pk}"


def idempotency_key(ctx: ToolContext, tool: str) -> str:
    """The same person asking the same thing on the same day gets the same action back."""
    digest = hashlib.sha256(ctx.normalised.encode()).hexdigest()[:32]
    return f"assistant:{ctx.organization.slug}:{ctx.user.pk}:{tool}:{ctx.today:%Y%m%d}:{digest}"[:200]


def document(ctx: ToolContext, tool: str, *, action_type: str, inputs: dict, title: str, expected_effect: str,
             reasoning: str, target: lookup.Match, description: str, effects: list | None = None,
             changes: list | None = None, checks: list | None = None, metadata: dict | None = None) -> dict:
    """A protocol document for something a person asked for."""
    operation = types.action_type(action_type).operation.value
    return parse_protocol({
        "action_id": str(uuid.uuid4()), "action_type": str(action_type), "safe_operation": operation,
        "operation": {"type": operation, "inputs": inputs}, "risk_level": types.action_type(action_type).risk_floor.value,
        "title": one_line(title, 255), "expected_effect": expected_effect, "reasoning": reasoning,
        "proposed_changes": changes or [], "external_effects": effects or [],
        "revalidation_plan": {"checks": [{"check_id": "target-exists", "predicate": {
            "type": "odoo_record_exists", "model": target.model, "id": target.id}}, *(checks or [])]},
        "affected_records": {"odoo_model": target.model, "odoo_ids": [target.id], "description": one_line(description, 500)},
        "idempotency_key": idempotency_key(ctx, tool), "created_at": ctx.now.isoformat(),
        "expires_at": (ctx.now + timedelta(hours=ctx.policy.expiry_hours)).isoformat(),
        "created_by": ctx.created_by, "source": Source.ASSISTANT.value,
        "metadata": {"requested": one_line(ctx.normalised, 500), "requested_by": _person(ctx),
                     "record_name": neutral_name(target.label, ""),
                     **(metadata or {})},
    }).model_dump(mode="json")


def _person(ctx: ToolContext) -> str:
    return one_line(ctx.user.get_full_name() or ctx.user.get_username(), 100)


def _requested(ctx: ToolContext) -> str:
    return f"{_person(ctx)} asked the assistant for this."


def _odoo_user(ctx: ToolContext, name: str | None) -> int | None:
    """The Odoo user a name names; without a name, the one whose login or email is the person's."""
    if name:
        return lookup.find(ctx.odoo, lookup.USER, name).id
    email = (ctx.user.email or "").strip()
    if not email:
        return None
    ids = ctx.odoo.search("res.users", ["|", ("login", "=ilike", email), ("email", "=ilike", email)], limit=1)
    return ids[0] if ids else None


# ---------------------------------------------------------------------------------------------


def create_task(ctx: ToolContext, args: dict) -> dict:
    target, project = None, None
    if args.get("target_kind"):
        target = lookup.find(ctx.odoo, lookup.KINDS[args["target_kind"]], args["target_ref"])
        if target.model == "project.project":
            project = {"id": target.id, "name": target.data["name"]}
    project = project or staff_project(ctx.odoo)
    if project is None:
        raise ApplicationError("Odoo has no project to put the task in; create one in Odoo first.")
    assignee = _odoo_user(ctx, args.get("assignee")) if args.get("assignee") else None
    partner = (target.data.get("partner_id") or [None])[0] if target else None
    lines = [f"Asked for by {_person(ctx)} through AIOM."]
    if target and target.model != "project.project":
        lines.append(f"{args['target_kind'].capitalize()}: {neutral_name(target.label, f'#{target.id}')}")
    inputs = {"project_id": project["id"], "name": args["title"], "description": "\n".join(lines),
              "assignee_user_ids": [assignee] if assignee else [],
              "date_deadline": args["due"].isoformat() if args.get("due") else None,
              "partner_id": partner, "related_model": target.model if target else None,
              "related_id": target.id if target else None}
    where = lookup.Match("project.project", project["id"], project["name"])
    return document(ctx, "create_task", action_type=ActionType.CREATE_REQUESTED_TASK, inputs=inputs,
                    title=f"Task: {args['title']}", expected_effect="The task is in Odoo, with its deadline and assignee.",
                    reasoning=_requested(ctx) + " It creates one task in Odoo; nobody outside is contacted.",
                    target=target or where, description=f"New task in {project['name']}",
                    changes=[{"model": "project.task", "record_id": None, "field": "name", "after": args["title"],
                              "change_type": "create"}])


def note(ctx: ToolContext, args: dict) -> dict:
    target = lookup.find(ctx.odoo, lookup.KINDS[args["target_kind"]], args["target_ref"])
    body = args["body"].strip()
    return document(ctx, "note", action_type=ActionType.NOTE_ON_RECORD,
                    inputs={"model": target.model, "record_id": target.id, "body": body},
                    title=f"Note on {args['target_kind']} {neutral_name(target.label, f'#{target.id}')}",
                    expected_effect="The note is in the record's chatter in Odoo, for the team to read.",
                    reasoning=_requested(ctx) + " It adds one internal note; customers do not see it.",
                    target=target, description=target.label,
                    changes=[{"model": target.model, "record_id": target.id, "field": "message_ids",
                              "after": one_line(body, 500), "change_type": "append"}])


def call(ctx: ToolContext, args: dict) -> dict:
    partner = lookup.find(ctx.odoo, lookup.PARTNER, args["partner"])
    day = args.get("on") or next_working_day(ctx.today)
    name = neutral_name(partner.data.get("name"), f"customer #{partner.id}")
    inputs = {"model": "res.partner", "record_id": partner.id, "activity_type": "call", "summary": f"Call {name}",
              "note": _requested(ctx), "date_deadline": day.isoformat(), "user_id": _odoo_user(ctx, None)}
    return document(ctx, "call", action_type=ActionType.SCHEDULE_CALL, inputs=inputs, title=f"Call {name} on {day:%a %d %b}",
                    expected_effect="A call is on the calendar in Odoo, on the customer, for the day asked.",
                    reasoning=_requested(ctx) + " It schedules one call activity in Odoo; nobody is contacted yet.",
                    target=partner, description=partner.label,
                    changes=[{"model": "mail.activity", "record_id": None, "field": "summary", "after": inputs["summary"],
                              "change_type": "create"}])


def remind(ctx: ToolContext, args: dict) -> dict:
    """The reminder an analysis would propose for this invoice, asked for by a person."""
    partner = lookup.find(ctx.odoo, lookup.PARTNER, args["partner"])
    invoice = lookup.find(ctx.odoo, lookup.INVOICE, args["invoice_ref"],
                          extra_domain=(("partner_id", "child_of", partner.id),))
    data = financial.invoice_finding(ctx.odoo, invoice.id, as_of=ctx.today)
    if data is None:
        raise ApplicationError(f"{invoice.data['name']} is not open in Odoo (paid, cancelled or not posted): "
                               "there is nothing to remind them about.")
    finding = Finding(organization=ctx.organization, **asdict(data))
    outcome = rules.intents_for(finding, organization_name=ctx.organization.name, as_of=ctx.today,
                                payment_instructions=ctx.policy.payment_instructions, has_staff_project=False)
    intent = next((i for i in outcome.intents if i.action_type == ActionType.SEND_INVOICE_REMINDER), None)
    if intent is None:
        raise ApplicationError("AIOM cannot email this reminder: " + (" ".join(outcome.notes) or
                                                                     "the customer has no usable email address."))
    built = protocol_for(finding, intent, RecommenderContext(ctx.organization, ctx.policy, ctx.today, ctx.now,
                                                             model_client=ctx.model_client))
    if built is None:
        raise ApplicationError("The reminder for this invoice could not be written; nothing was proposed.")
    return _as_requested(ctx, built, "remind")


def _as_requested(ctx: ToolContext, built: dict, tool: str) -> dict:
    metadata = {**built["metadata"], "requested": one_line(ctx.normalised, 500), "requested_by": _person(ctx)}
    for key in ("finding_fingerprint", "rule", "as_of"):
        metadata.pop(key, None)
    return parse_protocol({**built, "created_by": ctx.created_by, "source": Source.ASSISTANT.value,
                           "idempotency_key": idempotency_key(ctx, tool), "analysis_id": None, "finding_id": None,
                           "reasoning": one_line(_requested(ctx) + " " + built["reasoning"], 1000),
                           "metadata": metadata}).model_dump(mode="json")


def draft_email(ctx: ToolContext, args: dict) -> dict:
    partner = lookup.find(ctx.odoo, lookup.PARTNER, args["partner"])
    recipients = email_addresses(partner.data.get("email"))
    if not recipients:
        raise ApplicationError(f"{partner.label} has no usable email address in Odoo; add one there first.")
    topic = one_line(args["topic"], messages.TOPIC_LIMIT)
    facts = {"partner_id": partner.id, "partner_name": partner.data.get("name") or "", "topic": topic}
    slots, provenance = _slots(ctx, facts)
    composed = messages.compose(ActionType.EMAIL_CUSTOMER, facts, slots, organization_name=ctx.organization.name,
                                payment_instructions="", tone="friendly")
    inputs = {"to": recipients, "subject": composed.subject, "body": composed.body, "partner_id": partner.id,
              "related_model": "res.partner", "related_id": partner.id}
    effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": partner.id,
                "subject": composed.subject, "preview": composed.body[:300]} for address in recipients]
    return document(ctx, "draft_email", action_type=ActionType.EMAIL_CUSTOMER, inputs=inputs,
                    title=f"Email {neutral_name(partner.data.get('name'), f'customer #{partner.id}')}: {topic}",
                    expected_effect="The customer hears from us about this, and can reply to the email.",
                    reasoning=_requested(ctx) + " Read the wording before approving; you can edit it.",
                    target=partner, description=partner.label, effects=effects,
                    checks=outreach_checks(partner.id, "email", ctx.policy),
                    metadata={"partner_name": neutral_name(partner.data.get("name"), ""), **provenance})


def _slots(ctx: ToolContext, facts: dict) -> tuple[messages.Slots, dict]:
    """Claude's prose for the email when it passes every check; the template's otherwise."""
    slots = messages.default_slots(ActionType.EMAIL_CUSTOMER, "friendly")
    draft = drafting.rules_draft(ActionType.EMAIL_CUSTOMER, slots=slots,
                                 reasoning="A person asked for an email to this customer about the topic given.")
    outcome = drafting.improve_draft(finding_facts=facts, draft=draft, allowed_action_types=[ActionType.EMAIL_CUSTOMER],
                                     organization_name=ctx.organization.name,
                                     claim_facts=content.ClaimFacts(amount_open=False, allows_escalation=False),
                                     **({"client": ctx.model_client} if ctx.model_client is not None else {}))
    if not outcome.used_model:
        return slots, {}
    return messages.Slots(**outcome.draft.slots()), {"written_by": guardrails.WRITTEN_BY_CLAUDE}


def expense(ctx: ToolContext, args: dict) -> dict:
    employee = _employee(ctx, args.get("employee"))
    currency = ctx.odoo.search("res.currency", [("name", "=", args["currency"])], limit=1)
    if not currency:
        raise ApplicationError(f"Odoo has no active currency {args['currency']}.")
    category = _category(ctx, args["description"])
    day = args.get("date") or ctx.today
    amount = float(args["amount"])
    name = one_line(args["description"], 255)
    inputs = {"employee_id": employee.id, "product_id": category.id, "name": name, "total_amount": amount,
              "currency_id": currency[0], "date": day.isoformat(), "description": _requested(ctx)}
    return document(ctx, "expense", action_type=ActionType.RECORD_EXPENSE, inputs=inputs,
                    title=f"Draft expense: {name} ({amount:,.2f} {args['currency']})",
                    expected_effect="A draft expense is in Odoo for the employee to check and submit there.",
                    reasoning=_requested(ctx) + " It only creates a draft: submitting and paying it stay steps "
                                                "people take in Odoo.",
                    target=employee, description=f"Expense for {employee.label}",
                    changes=[{"model": "hr.expense", "record_id": None, "field": "total_amount_currency",
                              "after": f"{amount:,.2f} {args['currency']}", "change_type": "create"}],
                    checks=[{"check_id": "category-exists", "predicate": {
                        "type": "odoo_record_exists", "model": "product.product", "id": category.id}}],
                    metadata={"category": category.label})


def _employee(ctx: ToolContext, name: str | None) -> lookup.Match:
    if name:
        return lookup.find(ctx.odoo, lookup.EMPLOYEE, name)
    odoo_user = _odoo_user(ctx, None)
    rows = ctx.odoo.search_read("hr.employee", [("user_id", "=", odoo_user)], ["name", "user_id", "work_email"],
                                limit=1) if odoo_user else []
    if not rows:
        raise ApplicationError("Say whose expense it is: “… for <employee>”. Your account is not linked to an "
                               "employee in Odoo.")
    return lookup.Match("hr.employee", rows[0]["id"], rows[0]["name"], rows[0])


def _category(ctx: ToolContext, description: str) -> lookup.Match:
    """The expense category the description names; the only one there is; else the person chooses."""
    rows = ctx.odoo.search_read("product.product", [("can_be_expensed", "=", True)], ["name"], order="id asc", limit=50)
    if not rows:
        raise ApplicationError("Odoo has no expense categories (products that can be expensed).")
    words = description.casefold()
    named = [row for row in rows if str(row["name"]).casefold() in words]
    chosen = named if len(named) == 1 else rows if len(rows) == 1 else []
    if chosen:
        return lookup.Match("product.product", chosen[0]["id"], chosen[0]["name"], chosen[0])
    raise lookup.Ambiguous("expense categories", description,
                           [(f"{row['name']}: {description}", row["name"])
                            for row in (named or rows)[:lookup.MAX_CHOICES]])
