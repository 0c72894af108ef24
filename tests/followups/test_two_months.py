"""Two months of chasing three customers on real services — the Odoo sandbox, an SMTP server
and an SMS gateway — with the clock moved day by day (the executor's checks read the clock too).
Each tick proposes what is due, an approver approves it, the executor sends it; the test then
looks at what reached the servers and Odoo, as the customers and the staff would.

Day 0 is a Monday, 08:00 in Brussels. The customers (the sandbox's own invoices are settled
first, so only these are chased):

- Emma Claes: three invoices due on day 4 (a Friday), no mobile number.
  Courtesy −3 → day 1; friendly +3 → day 7; firm +15 is a Saturday → Monday day 21;
  SMS (skipped) and collection task +30 is a Sunday → Monday day 35; final notice +45 → day 49.
- Olivia Bakker: one invoice of 2,000.00, 750.00 still open, due on day 16 (a Wednesday), with a
  mobile. Courtesy −3 is a Sunday → day 14; friendly +3 is a Saturday → day 21; firm +15 → day 31;
  SMS and task +30 → day 46; final notice +45 is a Saturday → day 63.
- Adam Novak: one invoice found 20 days overdue, no mobile. Starts at the firm reminder on day 0;
  task +30 → day 10; the final notice of day 25 is approved, then he pays, then it runs: blocked.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from actions import services
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.types import approvals_required
from followups import engine
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, FollowUpStatus, Sequence, SequenceKind
from tests.integrations.servers import ScriptedResponse

from .conftest import EMMA

OLIVIA, ADAM = 40, 44
OLIVIA_MOBILE = "+31612345678"
ZONE = ZoneInfo("Europe/Brussels")
DAYS = 64
TICKS = (time(8, 0), time(8, 5), time(12, 0), time(17, 0))  # the hourly tick, several times a day
PAYMENT_DAY, RESTART_DAY = 25, 21
LEVEL_OF_SUBJECT = {"Coming up:": "courtesy", "Reminder:": "friendly", "Overdue:": "firm",
                    "Final notice:": "final"}
EXPECTED = {
    EMMA: {"courtesy": [1], "friendly": [7], "firm": [21], "task": [35], "final": [49]},
    OLIVIA: {"courtesy": [14], "friendly": [21], "firm": [31], "sms": [46], "task": [46], "final": [63]},
    ADAM: {"firm": [0], "task": [10]},
}


@dataclass
class Received:
    day: int
    at: datetime
    partner: int | str
    level: str
    text: str


class TwoMonths:
    """Moves the clock, ticks, approves and executes, and records what reached the outside."""

    def __init__(self, org, odoo, traveller, smtp, gateway, approvers, start: date):
        self.org, self.odoo, self.traveller = org, odoo, traveller
        self.smtp, self.gateway, self.approvers, self.start = smtp, gateway, approvers, start
        self.addresses = {row["email"]: row["id"] for row in odoo.read("res.partner", [EMMA, OLIVIA, ADAM], ["email"])}
        self.received: list[Received] = []
        self.outcomes: list[tuple[int, Action, str]] = []
        self.task_ids: set[int] = set()
        self._mails = self._texts = 0

    def at(self, day: int, moment: time) -> None:
        self.traveller.move_to(datetime.combine(self.start + timedelta(days=day), moment, ZONE))

    def tick(self, day: int, before_sending=None) -> None:
        engine.tick(self.org, self.odoo, now=timezone.now())
        approved = [self._approve(action) for action in Action.objects.filter(
            organization=self.org, source="follow_up", status=ActionStatus.PENDING_APPROVAL).order_by("created_at")]
        if before_sending:
            before_sending(approved)
        for action in approved:
            outcome = services.execute(action.pk)
            action.refresh_from_db()
            self.outcomes.append((day, action, outcome.status))
            self._collect(day)

    def _approve(self, action: Action) -> Action:
        for user in self.approvers[:approvals_required(action.risk_level)]:
            action = services.approve(action, user, protocol_hash=action.protocol_hash)
        assert action.status == ActionStatus.APPROVED, action.title
        return action

    def _collect(self, day: int) -> None:
        now = timezone.now()
        for mail in self.smtp.received[self._mails:]:
            subject = str(mail.message["subject"])
            level = next((name for prefix, name in LEVEL_OF_SUBJECT.items() if subject.startswith(prefix)), subject)
            body = mail.message.get_body(preferencelist=("plain",)).get_content()
            for address in mail.rcpt_tos:
                self.received.append(Received(day, now, self.addresses.get(address, address), level,
                                              f"{subject}\n{body}"))
        self._mails = len(self.smtp.received)
        for request in self.gateway.requests[self._texts:]:
            payload = request.json()
            partner = OLIVIA if payload["to"] == OLIVIA_MOBILE else payload["to"]
            self.received.append(Received(day, now, partner, "sms", payload["message"]))
        self._texts = len(self.gateway.requests)
        for task in self.odoo.search_read("project.task", [("partner_id", "in", [EMMA, OLIVIA, ADAM])],
                                          ["name", "partner_id", "project_id"]):
            if task["id"] not in self.task_ids:
                self.task_ids.add(task["id"])
                self.received.append(Received(day, now, task["partner_id"][0], "task",
                                              f"{task['name']} [{task['project_id'][1]}]"))

    def schedule(self) -> dict:
        got = defaultdict(lambda: defaultdict(list))
        for item in self.received:
            got[item.partner][item.level].append(item.day)
        return {partner: dict(levels) for partner, levels in got.items()}

    def of(self, partner: int, *levels: str) -> list[Received]:
        return [item for item in self.received if item.partner == partner and (not levels or item.level in levels)]


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def _only_our_customers(org, odoo) -> None:
    """Settle the sandbox's own open invoices and leave deals aside: three customers, nothing else."""
    open_ids = odoo.search("account.move", [("move_type", "=", "out_invoice"),
                                            ("payment_state", "in", ["not_paid", "partial"])])
    odoo.write("account.move", open_ids, {"payment_state": "paid", "amount_residual": 0.0})
    ensure_defaults(org)
    Sequence.objects.filter(organization=org, kind=SequenceKind.DEALS).update(active=False)


@pytest.fixture
def sms_gateway(settings, http_server):
    http_server.default = ScriptedResponse(200, {"id": "sms-1", "status": "queued"})
    settings.SMS_SERVER_URL, settings.SMS_SERVER_API_KEY = http_server.url, "sms-key"
    settings.SMS_DEFAULT_FROM = "+3212345678"
    return http_server


@pytest.mark.slow
def test_two_months_of_chasing_three_customers(chasing_org, odoo, add_invoice, approver, second_approver, smtp,
                                               sms_gateway):
    start = _next_monday()
    with time_machine.travel(datetime.combine(start, time(7, 0), ZONE), tick=True) as traveller:
        _only_our_customers(chasing_org, odoo)
        odoo.write("res.partner", [EMMA], {"phone": False})
        odoo.write("res.partner", [OLIVIA], {"phone": OLIVIA_MOBILE})
        emma = [add_invoice(EMMA, -4, total) for total in (300.0, 450.0, 120.0)]
        olivia = add_invoice(OLIVIA, -16, 2000.0, residual=750.0)
        adam = add_invoice(ADAM, 20, 980.0)
        run = TwoMonths(chasing_org, odoo, traveller, smtp, sms_gateway, [approver, second_approver], start)

        def pay_adam(approved):  # between his final notice's approval and its sending
            assert [action.title.split(":")[0] for action in approved if action.partner_id == ADAM] == ["Final notice"]
            odoo.write("account.move", [adam["id"]], {"payment_state": "paid", "amount_residual": 0.0})

        for day in range(DAYS):
            for moment in TICKS:
                run.at(day, moment)
                if (day, moment) == (RESTART_DAY, time(12, 0)):  # a worker died after proposing today's level
                    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA, status="active")
                    last = max(follow_up.sent, key=int)
                    FollowUp.objects.filter(pk=follow_up.pk).update(
                        level=int(last), sent={k: v for k, v in follow_up.sent.items() if k != last})
                if (day, moment) == (RESTART_DAY, time(17, 0)):  # the follow-up itself is gone
                    FollowUp.objects.filter(organization=chasing_org, target_id=EMMA).delete()
                run.tick(day, before_sending=pay_adam if (day, moment) == (PAYMENT_DAY, time(8, 0)) else None)

    # Each level once, on its day (weekend days moved to the Monday), to the right customer only.
    assert run.schedule() == EXPECTED
    assert all((start + timedelta(days=item.day)).weekday() < 5 for item in run.received)

    # Emma: one email per level, each listing her three invoices with their total.
    for item in run.of(EMMA, "courtesy", "friendly", "firm", "final"):
        for invoice, amount in zip(emma, ("300.00", "450.00", "120.00")):
            assert f"Invoice {invoice['name']}: {amount} EUR open" in item.text, item.level
        assert "Total open: 870.00 EUR" in item.text and "3 open invoices (870.00 EUR)" in item.text
    assert "Coming up:" in run.of(EMMA, "courtesy")[0].text and "overdue" not in run.of(EMMA, "courtesy")[0].text

    # Olivia: chased for the 750.00 still open, never for the 2,000.00 invoiced, by email and SMS.
    for item in run.of(OLIVIA, "courtesy", "friendly", "firm", "sms", "final"):
        assert "750.00 EUR" in item.text and olivia["name"] in item.text, item.level
        assert "2,000.00" not in item.text and "2000.00" not in item.text, item.level

    # The collection task is in Odoo, in the staff project, on the customer.
    [emma_task], [olivia_task], [adam_task] = run.of(EMMA, "task"), run.of(OLIVIA, "task"), run.of(ADAM, "task")
    assert emma_task.text == "Collect from Emma Claes: 3 open invoices (870.00 EUR) [Internal Operations]"
    assert olivia_task.text == "Collect from Olivia Bakker: 1 open invoice (750.00 EUR) [Internal Operations]"
    assert adam_task.text == "Collect from Adam Novak: 1 open invoice (980.00 EUR) [Internal Operations]"

    # No mobile number: the SMS level is skipped and said so in the history, the rest goes on.
    for partner in (EMMA, ADAM):
        follow_up = FollowUp.objects.get(organization=chasing_org, target_id=partner)
        skipped = [event.text for event in follow_up.events.filter(kind=EventKind.SKIPPED)]
        assert len(skipped) == 1 and "no mobile number" in skipped[0]

    # Adam paid after his final notice was approved: it was blocked, nothing reached him, and the
    # follow-up completed that morning.
    not_sent = [(day, action.partner_id, action.title.split(":")[0], status) for day, action, status in run.outcomes
                if status != ActionStatus.EXECUTED]
    assert not_sent == [(PAYMENT_DAY, ADAM, "Final notice", ActionStatus.BLOCKED)]
    blocked = next(action for _, action, status in run.outcomes if status == ActionStatus.BLOCKED)
    assert "paid in the meantime" in blocked.status_reason
    adam_follow_up = FollowUp.objects.get(organization=chasing_org, target_id=ADAM)
    assert adam_follow_up.status == FollowUpStatus.COMPLETED and "paid" in adam_follow_up.reason
    [completed] = adam_follow_up.events.filter(kind=EventKind.COMPLETED)
    assert completed.at.astimezone(ZONE).date() == start + timedelta(days=PAYMENT_DAY)

    # The re-runs and the lost state proposed nothing new: one action per customer and level.
    keys = list(Action.objects.filter(organization=chasing_org, partner_id=EMMA)
                .values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 5
    [emma_follow_up] = FollowUp.objects.filter(organization=chasing_org, target_id=EMMA)  # the one started again
    [started] = emma_follow_up.events.filter(kind=EventKind.STARTED)
    assert started.at.astimezone(ZONE).date() == start + timedelta(days=RESTART_DAY) and started.detail["level"] == 2
    assert emma_follow_up.events.filter(kind=EventKind.PROPOSED, text="Firm reminder proposed (executed)").exists()

    # The outreach window: never two emails to one customer closer than the policy allows.
    window = timedelta(hours=GuardrailPolicy.objects.get(organization=chasing_org).email_window_hours)
    for partner in (EMMA, OLIVIA, ADAM):
        sent = sorted(item.at for item in run.of(partner, "courtesy", "friendly", "firm", "final"))
        assert all(later - earlier >= window for earlier, later in zip(sent, sent[1:]))

    # At the end: every level done for Emma and Olivia, a person decides what happens next.
    for partner in (EMMA, OLIVIA):
        follow_up = FollowUp.objects.get(organization=chasing_org, target_id=partner, status="active")
        assert follow_up.level == 6 and follow_up.next_due_at is None and "Every level" in follow_up.reason


def test_a_follow_up_that_lost_its_state_overnight_sends_nothing_twice_and_ticks_on(chasing_org, odoo, approver,
                                                                                    smtp):
    start = datetime.combine(_next_monday(), time(8, 0), ZONE)
    with time_machine.travel(start, tick=True) as traveller:
        engine.tick(chasing_org, odoo, now=timezone.now())
        [action] = Action.objects.filter(organization=chasing_org, partner_id=EMMA)
        services.approve(action, approver, protocol_hash=action.protocol_hash)
        assert services.execute(action.pk).status == ActionStatus.EXECUTED
        follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA)
        FollowUp.objects.filter(pk=follow_up.pk).update(level=follow_up.level - 1, sent={})  # died before saving
        traveller.move_to(start + timedelta(days=1))
        engine.tick(chasing_org, odoo, now=timezone.now())
    assert [mail.rcpt_tos for mail in smtp.received] == [["emma.claes@mail.example"]]
    assert Action.objects.filter(organization=chasing_org, partner_id=EMMA).count() == 1
