"""The deterministic rules: for each finding, what to do and the words to say it with.

Rules decide the action types and write the default copy; they work offline and are the
whole answer when no language model is configured. Recipients are never chosen here from
text: they are the partner's validated email or phone from Odoo (see `contacts`), and a
finding whose partner cannot be reached becomes a task for staff instead. Messages to
customers are composed by `messages` from the facts and the rules' prose slots; every name
from Odoo free text is neutralised before it appears in any text here, and each name that
needed it becomes a flag approvers see.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from actions.types import ActionType
from aiom.text import one_line

from . import messages
from .contacts import e164_phone, email_addresses
from .messages import Slots, amount_due, customer_reference
from .odoo_text import cleaning_flags, neutral_name
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
    it (friendly/firm reminder, call/collect/unreachable task, runway); `alternative_intents`
    are the rules' complete intents for other types that fit the finding (the model may choose
    among them, never outside them)."""

    action_type: str  # a registered action type (built-in ones by their ActionType name)
    copy: Copy
    variant: str = "friendly"
    #: The prose of an outside message (`copy.body` is composed from it); None for internal work.
    slots: Slots | None = None
    tone: str = "friendly"
    #: One line per Odoo name that had to be cleaned ("partner name: a link removed").
    flags: tuple[str, ...] = ()
    alternative_intents: tuple["Intent", ...] = ()

    @property
    def alternatives(self) -> tuple[str, ...]:
        return tuple(alternative.action_type for alternative in self.alternative_intents)

    @property
    def allowed_types(self) -> list[str]:
        return [str(self.action_type), *(str(alternative) for alternative in self.alternatives)]

    def for_type(self, action_type: str) -> "Intent":
        """The rules' own intent for `action_type`, which must be one of `allowed_types`."""
        for intent in (self, *self.alternative_intents):
            if str(intent.action_type) == str(action_type):
                return intent
        raise ValueError(f"{action_type!r} is not among {', '.join(self.allowed_types)}")


@dataclass
class RuleOutcome:
    intents: list[Intent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Setting:
    """What the rules know besides the finding."""

    organization_name: str
    payment_instructions: str
    as_of: date
    has_staff_project: bool


def intents_for(finding, *, organization_name: str, payment_instructions: str, as_of: date,
                has_staff_project: bool) -> RuleOutcome:
    """What to do about `finding`; `payment_instructions` are the organisation's own (its
    guardrail policy), the only payment details any reminder prints."""
    rule = {
        FindingKind.INVOICE_OVERDUE: _invoice_overdue,
        FindingKind.DEAL_STALLED: _deal_stalled,
        FindingKind.TASK_OVERDUE: _task_overdue,
        FindingKind.CASH_RUNWAY_LOW: _cash_runway_low,
    }[FindingKind(finding.kind)]
    facts = {"partner_id": finding.partner_id, **finding.facts}
    return rule(facts, _Setting(organization_name, payment_instructions, as_of, has_staff_project))


def _message(action_type: ActionType, facts: dict, tone: str, setting: _Setting, *, subject: str | None = None,
             reasoning: str, flags: tuple[str, ...], alternatives: tuple[Intent, ...] = ()) -> Intent:
    """An outside message in the rules' own words, composed from the facts."""
    slots = messages.default_slots(action_type, tone)
    composed = messages.compose(action_type, facts, slots, organization_name=setting.organization_name,
                                payment_instructions=setting.payment_instructions, tone=tone)
    return Intent(action_type, Copy(composed.subject or subject, composed.body, reasoning), variant=tone,
                  slots=slots, tone=tone, flags=flags, alternative_intents=alternatives)


# ---------------------------------------------------------------------------------------------
# Overdue invoices: friendly email (1–30 days), firm email and a call (31–60), collection task
# and SMS (over 60).


def _invoice_overdue(facts: dict, setting: _Setting) -> RuleOutcome:
    days = facts["days_overdue"]
    emails, phone = email_addresses(facts.get("partner_email")), e164_phone(facts.get("partner_phone"))
    partner = neutral_name(facts["partner_name"], customer_reference(facts, "the customer"))
    outcome = RuleOutcome(flags=cleaning_flags([("partner name", facts["partner_name"])]))
    invoice = _Invoice(facts, setting, partner, outcome.flags)
    tone = "friendly" if days <= 30 else "firm"
    task_type = ActionType.CREATE_COLLECTION_TASK if setting.has_staff_project else ActionType.NOTE_ON_RECORD
    if not setting.has_staff_project:
        outcome.notes.append("No Odoo project to hold staff tasks: the collection step is a note on the invoice.")
    if days <= 30:
        if emails:
            alternatives = (invoice.sms(tone, "a reminder by SMS"),) if phone else ()
            outcome.intents.append(invoice.email(tone, alternatives))
        elif phone:
            outcome.intents.append(invoice.sms(tone, "a reminder by SMS (no usable email address)"))
        else:
            outcome.intents.append(invoice.task(task_type, "unreachable"))
        if not emails:
            problem = facts.get("partner_email_problem")
            outcome.notes.append(f"{partner} has no usable email address in Odoo"
                                 + (f" ({problem}: AIOM sends nothing to it)." if problem else "."))
        return outcome
    if days <= 60:
        if emails:
            outcome.intents.append(invoice.email(tone))
        elif phone:
            outcome.intents.append(invoice.sms(tone, "a reminder by SMS"))
        outcome.intents.append(invoice.task(task_type, "call" if phone else "unreachable", phone=phone))
        return outcome
    outcome.intents.append(invoice.task(task_type, "collect", phone=phone))
    if phone:
        outcome.intents.append(invoice.sms(tone, "a reminder by SMS"))
    elif emails:
        outcome.intents.append(invoice.email(tone))
    return outcome


COLLECTION_SUBTASKS = [
    "Call the customer and agree a payment date",
    "Check the invoice for disputes or missing documents",
    "Decide on escalation (payment plan, formal notice, collection agency)",
]


@dataclass(frozen=True)
class _Invoice:
    """The intents about one overdue invoice, all naming its customer the same cleaned way."""

    facts: dict
    setting: _Setting
    partner: str
    flags: tuple[str, ...]

    def reasoning(self, channel: str) -> str:
        facts = self.facts
        paid = " (partly paid)" if facts["payment_state"] == "partial" else ""
        return one_line(
            f"Invoice {facts['name']} for {self.partner} was due on {facts['due']} and is "
            f"{facts['days_overdue']} days overdue with {amount_due(facts)} still open{paid}. "
            f"At {facts['days_overdue']} days the rule is: {channel}.", 1000)

    def email(self, tone: str, alternatives: tuple[Intent, ...] = ()) -> Intent:
        channel = ("a friendly reminder by email" if tone == "friendly"
                   else "a firm reminder by email with a 7-day deadline")
        return _message(ActionType.SEND_INVOICE_REMINDER, self.facts, tone, self.setting,
                        reasoning=self.reasoning(channel), flags=self.flags, alternatives=alternatives)

    def sms(self, tone: str, channel: str) -> Intent:
        return _message(ActionType.SEND_INVOICE_REMINDER_SMS, self.facts, tone, self.setting,
                        subject=f"SMS reminder for invoice {self.facts['name']}", reasoning=self.reasoning(channel),
                        flags=self.flags)

    def task(self, action_type: ActionType, purpose: str, phone: str | None = None) -> Intent:
        facts, partner = self.facts, self.partner
        amount = amount_due(facts)
        if purpose == "call":
            title = f"Call {partner} about overdue invoice {facts['name']}"
            body = f"Call {partner} on {phone}: invoice {facts['name']} ({amount}) is {facts['days_overdue']} days overdue."
            channel = "a firm email and a call by the salesperson"
        elif purpose == "unreachable":
            title = f"Reach {partner} about overdue invoice {facts['name']}"
            body = (f"Invoice {facts['name']} ({amount}) is {facts['days_overdue']} days overdue and Odoo holds no "
                    f"usable email or phone for {partner}: find a contact and remind them.")
            channel = "a task for staff, because the customer cannot be contacted automatically"
        else:
            title = f"Collect overdue invoice {facts['name']} from {partner}"
            body = (f"Invoice {facts['name']} ({amount}) is {facts['days_overdue']} days overdue. "
                    + (f"Phone: {phone}." if phone else "No usable phone number in Odoo."))
            channel = "a collection task for staff" + (" and an SMS reminder" if phone else "")
        return Intent(action_type, Copy(one_line(title, LINE_LIMIT), body, self.reasoning(channel)),
                      variant=purpose, flags=self.flags)


# ---------------------------------------------------------------------------------------------
# Stalled deals: a call for the salesperson, or a follow-up email once the closing date passed.


def _deal_stalled(facts: dict, setting: _Setting) -> RuleOutcome:
    emails = email_addresses(facts.get("partner_email")) or email_addresses(facts.get("lead_email"))
    flags = cleaning_flags([("partner name", facts["partner_name"]), ("deal name", facts["name"]),
                            ("salesperson", facts["salesperson"]), ("stage", facts["stage"])])
    partner = neutral_name(facts["partner_name"], customer_reference(facts, "the customer"))
    deal = neutral_name(facts["name"], f"deal #{facts['lead_id']}")
    reasons = []
    if facts["days_in_stage"]:
        reasons.append(f"has been in stage {neutral_name(facts['stage'], 'its stage')} for {facts['days_in_stage']} days")
    if facts["days_past_deadline"]:
        reasons.append(f"is {facts['days_past_deadline']} days past its expected closing date ({facts['deadline']})")
    situation = f"The deal {deal} ({facts['expected_revenue']:,.2f} expected) {' and '.join(reasons)}."
    call = Intent(ActionType.SCHEDULE_DEAL_CALL, Copy(
        one_line(f"Call {partner} about {deal}", LINE_LIMIT),
        f"{situation} Ask what is blocking the decision and agree the next step.",
        one_line(f"{situation} A call from the salesperson is the cheapest way to restart it.", 1000)), flags=flags)
    if not emails:
        return RuleOutcome([call], flags=flags)
    why = ("Its closing date has passed, so a short follow-up email asks the customer for the next step."
           if facts["days_past_deadline"] else "A short follow-up email asks the customer for the next step.")
    email = _message(ActionType.FOLLOW_UP_STALLED_DEAL, facts, "friendly", setting,
                     reasoning=one_line(f"{situation} {why}", 1000), flags=flags, alternatives=(call,))
    if not facts["days_past_deadline"]:
        if facts.get("salesperson_id") and facts.get("partner_id") and email_addresses(facts.get("partner_email")):
            return RuleOutcome([_book_a_call(facts, partner, deal, situation, flags, alternatives=(call, email))],
                               flags=flags)
        return RuleOutcome([replace(call, alternative_intents=(email,))], flags=flags)
    return RuleOutcome([email], flags=flags)


def _book_a_call(facts: dict, partner: str, deal: str, situation: str, flags: tuple[str, ...], *,
                 alternatives: tuple[Intent, ...]) -> Intent:
    """A call booked in the salesperson's calendar, with an invitation the customer can accept:
    the builder offers three free times and the approver picks one (`analyzers.builders.meeting`)."""
    salesperson = neutral_name(facts["salesperson"], "")
    body = (f"A short call about {deal}: where it stands and the next step."
            + (f" With {salesperson}." if salesperson else ""))
    return Intent(ActionType.SCHEDULE_MEETING, Copy(
        one_line(f"Call with {partner} about {deal}", LINE_LIMIT), body,
        one_line(f"{situation} A booked call with the customer is the surest way to restart it: the invitation "
                 "offers a time the salesperson is free.", 1000)), variant="meeting", flags=flags,
        alternative_intents=alternatives)


# ---------------------------------------------------------------------------------------------
# Overdue tasks and low runway: internal work.


def _task_overdue(facts: dict, setting: _Setting) -> RuleOutcome:
    flags = cleaning_flags([("task name", facts["name"]), ("project name", facts["project"]),
                            *(("assignee name", name) for name in facts["assignees"]), ("stage", facts["stage"])])
    assignees = [name for name in (neutral_name(name, "") for name in facts["assignees"]) if name]
    who = ", ".join(assignees) or "Nobody is assigned to this task"
    task = neutral_name(facts["name"], f"task #{facts['task_id']}")
    body = (f"{who}: this task is {facts['days_overdue']} days past its deadline ({facts['deadline'][:10]}). "
            "Please finish it or set a realistic new deadline.")
    reasoning = one_line(f"Task {task} in {neutral_name(facts['project'], 'its project')} is {facts['days_overdue']} "
                         f"days overdue and still {neutral_name(facts['stage'], 'open')}; a note on the task reminds "
                         "its assignees.", 1000)
    return RuleOutcome([Intent(ActionType.NOTE_OVERDUE_TASK,
                               Copy(one_line(f"Remind the assignees of “{task}”", LINE_LIMIT), body, reasoning),
                               flags=flags)], flags=flags)


def _cash_runway_low(facts: dict, setting: _Setting) -> RuleOutcome:
    if not setting.has_staff_project:
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
