"""Building and watching actions for the reliability tests, and running other AIOM processes."""

import base64
import json
import subprocess
import sys
from collections import Counter

import redis

from actions import guardrails, services
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.types import ActionType
from tests.actions.protocols import protocol_for
from tests.processes import PROJECT_DIR


S = ActionStatus
#: Where every approved action must end once the dust settles: none is ever lost.
SETTLED = frozenset({S.EXECUTED, S.FAILED, S.OUTCOME_UNKNOWN})


def approved(organization, approver, document) -> Action:
    return services.approve(services.propose(organization, document, source="analyzer"), approver)


def allow_bulk_email(organization) -> None:
    """Many reminders to one partner in a few seconds: lift the rate limit, the outreach window and
    the contact budget so every action is due at once (what is tested here is delivery, not the
    guardrails)."""
    GuardrailPolicy.objects.filter(pk=guardrails.policy_for(organization).pk).update(
        emails_per_hour=100_000, email_window_hours=0, contact_cap_messages=0)


def note_on(model: str, record_id: int, body: str = "Checked by the reliability test.") -> dict:
    """A note_on_record protocol aimed at a real sandbox record."""
    document = protocol_for(ActionType.NOTE_ON_RECORD)
    document["operation"]["inputs"].update(model=model, record_id=record_id, body=body)
    document["proposed_changes"][0].update(model=model, record_id=record_id, after=body)
    document["affected_records"] = {"odoo_model": model, "odoo_ids": [record_id], "description": f"{model} {record_id}"}
    document["revalidation_plan"] = {"checks": [
        {"check_id": "target-exists", "predicate": {"type": "odoo_record_exists", "model": model, "id": record_id}}]}
    return document


def statuses(action_ids) -> Counter:
    return Counter(Action.objects.filter(pk__in=list(action_ids)).values_list("status", flat=True))


def all_settled(action_ids) -> bool:
    counts = statuses(action_ids)
    return sum(counts[status] for status in SETTLED) == len(action_ids)


def message_ids(smtp_server) -> Counter:
    """How many times the SMTP server accepted each action's message (by Message-ID; notices
    to the approvers about failures are other messages and are not counted)."""
    return Counter(mail.message["Message-ID"] for mail in smtp_server.received if mail.message["X-AIOM-Action"])


def message_id_of(action) -> str:
    return f"<{action.pk}@aiom.local>"


def queued_executions(queue: redis.Redis) -> Counter:
    """How many `aiom.actions.execute` messages wait in the broker for each action id (Celery
    message protocol 2 on Redis: headers name the task, the body is base64 JSON)."""
    messages = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    return Counter(json.loads(base64.b64decode(message["body"]))[0][0] for message in messages
                   if message["headers"]["task"] == "aiom.actions.execute")


def ids_with(ids, status) -> set:
    return set(Action.objects.filter(pk__in=ids, status=status).values_list("pk", flat=True))


def duplicated(received) -> int:
    return sum(count - 1 for count in received.values() if count > 1)


def run_aiom(env: dict, script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `script` in another AIOM process configured by `env` (a web server or the beat
    sweeper using another broker); the test fails if the process does."""
    completed = subprocess.run([sys.executable, "-c", f"import django\ndjango.setup()\n{script}", *args],
                               cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, completed.stderr
    return completed


#: `run_aiom(env, APPROVE, approver_id, *action_ids)`: the web server approving.
APPROVE = """
import sys
from django.contrib.auth import get_user_model
from actions import services
from actions.models import Action
approver = get_user_model().objects.get(pk=sys.argv[1])
for action in Action.objects.select_related("organization").filter(pk__in=sys.argv[2:]):
    services.approve(action, approver)
"""

#: The beat sweeper; prints how many actions it found due.
SWEEP = """
from actions import execution, sweeper
print(len(sweeper.sweep_and_enqueue().due))
"""
