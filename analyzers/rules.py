"""The deterministic rules: for each finding, what to do and the words to say it with.

Rules decide the action types and write the default copy; they work offline and are the
whole answer when no language model is configured. Recipients are never chosen here from
text: they are the partner's validated email or phone from Odoo (see `contacts`), and a
finding whose partner cannot be reached becomes a task for staff instead.
"""

from dataclasses import dataclass, field
from datetime import date

from actions.types import ActionType
from aiom.text import one_line
from integrations.channels import SMS_MAX_CHARS
from integrations.email import render_email

from .contacts import e164_phone, email_addresses
from .models import FindingKind

#: Titles, subjects and names: one line of at most this many characters.
LINE_LIMIT = 255


@dataclass(frozen=True)
class Copy:
    """The human text of one action: subject (email) or title, body, reasoning."""

    subject: str
    body: str
    reasoning: str


@dataclass(frozen=True)
class Intent:
    """One action a rule wants for a finding. `variant` names the branch of the rule that chose
    it (friendly/firm reminder, call/collect/unreachable task, runway); `alternatives` are
    other types that fit the finding (the model may choose among them, never outside them)."""

    action_type: str  # a registered action type (built-in ones by their ActionType name)
    copy: Copy
    variant: str = "friendly"
    alternatives: tuple[ActionType, ...] = ()

    @property
    def allowed_types(self) -> list[str]:
        return [str(self.action_type), *(str(alternative) for alternative in self.alternatives)]


@dataclass
class RuleOutcome:
    intents: list[Intent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def intents_for(finding, *, organization_name: str, as_of: date, has_staff_project: bool) -> RuleOutcome:
    rule = {
        FindingKind.INVOICE_OVERDUE: _invoice_overdue,
        FindingKind.DEAL_STALLED: _deal_stalled,
        FindingKind.TASK_OVERDUE: _task_overdue,
        FindingKind.CASH_RUNWAY_LOW: _cash_runway_low,
    }[FindingKind(finding.kind)]
    return rule(finding.facts, organization_name=organization_name, as_of=as_of, has_staff_project=has_staff_project)


# ---------------------------------------------------------------------------------------------
# Overdue invoices: friendly email (1–30 days), firm email and a call (31–60), collection task
# and SMS (over 60).


def _invoice_overdue(facts: dict, *, organization_name: str, as_of: date, has_staff_project: bool) -> RuleOutcome:
    days = facts["days_overdue"]
    emails, phone = email_addresses(facts.get("partner_email")), e164_phone(facts.get("partner_phone"))
    outcome = RuleOutcome()
    tone = "friendly" if days <= 30 else "firm"
    task_type = ActionType.CREATE_COLLECTION_TASK if has_staff_project else ActionType.NOTE_ON_RECORD
    if not has_staff_project:
        outcome.notes.append("No Odoo project to hold staff tasks: the collection step is a note on the invoice.")
    if days <= 30:
        if emails:
            outcome.intents.append(_reminder_email(facts, tone, organization_name, alternatives=_sms_if(phone)))
        elif phone:
            outcome.intents.append(_reminder_sms(facts, tone, organization_name))
        else:
            outcome.intents.append(_collection_task(facts, task_type, "unreachable"))
        if not emails:
            outcome.notes.append(f"{one_line(facts['partner_name'], LINE_LIMIT)} has no usable email address in Odoo.")
        return outcome
    if days <= 60:
        if emails:
            outcome.intents.append(_reminder_email(facts, tone, organization_name))
        elif phone:
            outcome.intents.append(_reminder_sms(facts, tone, organization_name))
        outcome.intents.append(_collection_task(facts, task_type, "call" if phone else "unreachable", phone=phone))
        return outcome
    outcome.intents.append(_collection_task(facts, task_type, "collect", phone=phone))
    if phone:
        outcome.intents.append(_reminder_sms(facts, tone, organization_name))
    elif emails:
        outcome.intents.append(_reminder_email(facts, tone, organization_name))
    return outcome


def _sms_if(phone: str | None) -> tuple[ActionType, ...]:
    return (ActionType.SEND_INVOICE_REMINDER_SMS,) if phone else ()


def _amount(facts: dict) -> str:
    return f"{facts['residual']:,.2f} {facts['currency']}".strip()


def _invoice_reasoning(facts: dict, channel: str) -> str:
    paid = " (partly paid)" if facts["payment_state"] == "partial" else ""
    return one_line(
        f"Invoice {facts['name']} for {facts['partner_name']} was due on {facts['due']} and is "
        f"{facts['days_overdue']} days overdue with {_amount(facts)} still open{paid}. "
        f"At {facts['days_overdue']} days the rule is: {channel}.", 1000)


def _reminder_email(facts: dict, tone: str, organization_name: str, alternatives=()) -> Intent:
    subject, text, _ = render_email("emails/invoice_reminder", {
        "partner_name": facts["partner_name"], "invoice_name": facts["name"], "amount_due": facts["residual"],
        "currency": facts["currency"], "due_date": date.fromisoformat(facts["due"]),
        "days_overdue": facts["days_overdue"], "tone": tone, "company_name": organization_name})
    channel = "a friendly reminder by email" if tone == "friendly" else "a firm reminder by email with a 7-day deadline"
    return Intent(ActionType.SEND_INVOICE_REMINDER,
                  Copy(one_line(subject, LINE_LIMIT), text, _invoice_reasoning(facts, channel)),
                  variant=tone, alternatives=alternatives)


def _reminder_sms(facts: dict, tone: str, organization_name: str) -> Intent:
    ask = ("Please arrange payment, or ignore this message if you have already paid." if tone == "friendly"
           else "Please pay within 7 days or contact us if there is a problem with the invoice.")
    body = (f"{one_line(organization_name, 60)}: invoice {facts['name']} ({_amount(facts)}) was due on "
            f"{facts['due']} and is {facts['days_overdue']} days overdue. {ask}")
    channel = "a reminder by SMS" + (" (no usable email address)" if tone == "friendly" else "")
    return Intent(ActionType.SEND_INVOICE_REMINDER_SMS,
                  Copy(f"SMS reminder for invoice {facts['name']}", body[:SMS_MAX_CHARS],
                       _invoice_reasoning(facts, channel)),
                  variant=tone)


COLLECTION_SUBTASKS = [
    "Call the customer and agree a payment date",
    "Check the invoice for disputes or missing documents",
    "Decide on escalation (payment plan, formal notice, collection agency)",
]


def _collection_task(facts: dict, action_type: ActionType, purpose: str, phone: str | None = None) -> Intent:
    partner = one_line(facts["partner_name"], 80)
    if purpose == "call":
        title = f"Call {partner} about overdue invoice {facts['name']}"
        body = f"Call {partner} on {phone}: invoice {facts['name']} ({_amount(facts)}) is {facts['days_overdue']} days overdue."
        channel = "a firm email and a call by the salesperson"
    elif purpose == "unreachable":
        title = f"Reach {partner} about overdue invoice {facts['name']}"
        body = (f"Invoice {facts['name']} ({_amount(facts)}) is {facts['days_overdue']} days overdue and Odoo holds no "
                f"usable email or phone for {partner}: find a contact and remind them.")
        channel = "a task for staff, because the customer cannot be contacted automatically"
    else:
        title = f"Collect overdue invoice {facts['name']} from {partner}"
        body = (f"Invoice {facts['name']} ({_amount(facts)}) is {facts['days_overdue']} days overdue. "
                + (f"Phone: {phone}." if phone else "No usable phone number in Odoo."))
        channel = "a collection task for staff" + (" and an SMS reminder" if phone else "")
    return Intent(action_type, Copy(one_line(title, LINE_LIMIT), body, _invoice_reasoning(facts, channel)),
                  variant=purpose)


# ---------------------------------------------------------------------------------------------
# Stalled deals: a call for the salesperson, or a follow-up email once the closing date passed.


def _deal_stalled(facts: dict, *, organization_name: str, as_of: date, has_staff_project: bool) -> RuleOutcome:
    emails = email_addresses(facts.get("partner_email")) or email_addresses(facts.get("lead_email"))
    reasons = []
    if facts["days_in_stage"]:
        reasons.append(f"has been in stage {facts['stage']} for {facts['days_in_stage']} days")
    if facts["days_past_deadline"]:
        reasons.append(f"is {facts['days_past_deadline']} days past its expected closing date ({facts['deadline']})")
    situation = f"The deal {facts['name']} ({facts['expected_revenue']:,.2f} expected) {' and '.join(reasons)}."
    call = Intent(ActionType.SCHEDULE_DEAL_CALL, Copy(
        one_line(f"Call {facts['partner_name'] or 'the customer'} about {facts['name']}", LINE_LIMIT),
        f"{situation} Ask what is blocking the decision and agree the next step.",
        one_line(f"{situation} A call from the salesperson is the cheapest way to restart it.", 1000)),
        alternatives=(ActionType.FOLLOW_UP_STALLED_DEAL,) if emails else ())
    if not (emails and facts["days_past_deadline"]):
        return RuleOutcome([call])
    subject, text, _ = render_email("emails/deal_follow_up", {
        "partner_name": facts["partner_name"] or "there", "deal_name": facts["name"],
        "sender_name": facts["salesperson"], "company_name": organization_name})
    email = Intent(ActionType.FOLLOW_UP_STALLED_DEAL, Copy(
        one_line(subject, LINE_LIMIT), text,
        one_line(f"{situation} Its closing date has passed, so a short follow-up email asks the customer "
                 "for the next step.", 1000)),
        alternatives=(ActionType.SCHEDULE_DEAL_CALL,))
    return RuleOutcome([email])


# ---------------------------------------------------------------------------------------------
# Overdue tasks and low runway: internal work.


def _task_overdue(facts: dict, *, organization_name: str, as_of: date, has_staff_project: bool) -> RuleOutcome:
    who = ", ".join(facts["assignees"]) or "Nobody is assigned to this task"
    body = (f"{who}: this task is {facts['days_overdue']} days past its deadline ({facts['deadline'][:10]}). "
            "Please finish it or set a realistic new deadline.")
    reasoning = one_line(f"Task {facts['name']} in {facts['project']} is {facts['days_overdue']} days overdue and "
                         f"still {facts['stage'] or 'open'}; a note on the task reminds its assignees.", 1000)
    return RuleOutcome([Intent(ActionType.NOTE_OVERDUE_TASK,
                               Copy(one_line(f"Remind the assignees of “{facts['name']}”", LINE_LIMIT), body,
                                    reasoning))])


def _cash_runway_low(facts: dict, *, organization_name: str, as_of: date, has_staff_project: bool) -> RuleOutcome:
    if not has_staff_project:
        return RuleOutcome(notes=["Cash runway is low, but Odoo has no project to hold a staff task."])
    body = (f"Cash on hand {facts['cash_balance']:,.2f} covers about {facts['runway_days']:.0f} days at the average "
            f"monthly outflow of {facts['avg_monthly_outflow']:,.2f} (threshold {facts['threshold_days']} days). "
            f"Open receivables: {facts['open_receivables']:,.2f}, of which {facts['overdue_90_plus']:,.2f} over 90 days.")
    reasoning = one_line(f"The runway of about {facts['runway_days']:.0f} days is below the "
                         f"{facts['threshold_days']}-day threshold; someone has to act on cash this week.", 1000)
    return RuleOutcome([Intent(ActionType.CREATE_STAFF_TASK,
                               Copy(f"Cash runway below {facts['threshold_days']} days: review cash", body, reasoning),
                               variant="runway")])


RUNWAY_SUBTASKS = [
    "Chase receivables more than 90 days overdue",
    "Review vendor bills due in the next 30 days and postpone what can wait",
    "Update the cash forecast for the next 13 weeks",
    "Talk to the bank about a credit line if the runway stays low",
]
