"""What the assistant does with a typed command: parse it (no model needed), run its tool with
a time budget, and answer — a proposed action, a read-only answer, a question when a name fits
several records, or what it understands when it did not understand.

Proposals go through `actions.services.propose()` like every other action, with
`created_by=user:<id>` and an idempotency key from the organisation, the person, the tool and
the command in canonical form, so asking twice gives the same action back.
"""

import logging
import time
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils import timezone

from actions import guardrails
from actions import services as action_services
from actions.fields import Source
from actions.models import Action
from actions.permissions import can_decide
from aiom.errors import ApplicationError, NotAllowed
from integrations.errors import ExternalError
from integrations.odoo.client import OdooClient
from integrations.odoo.connections import config_for

from . import lookup, parser
from .proposals import ToolContext, idempotency_key
from .tools import TOOLS

logger = logging.getLogger(__name__)


@dataclass
class Answer:
    kind: str  # proposed · answer · choose · not_understood · refused
    message: str
    tool: str = ""
    action: object = None
    summary: dict | None = None
    checks: list = field(default_factory=list)
    choices: list = field(default_factory=list)  # [{"label", "text"}]
    suggestions: list = field(default_factory=list)


class ToolTimedOut(ApplicationError):
    status_code = 504


def handle(organization, user, text: str, *, client=None) -> Answer:
    """Answer one typed command for `user` in `organization`."""
    today = timezone.localdate(timezone=_zone(organization))
    try:
        command = parser.parse(text if isinstance(text, str) else "", today=today)
    except parser.NotUnderstood as error:
        return Answer("not_understood", error.message, suggestions=error.suggestions)
    tool = TOOLS[command.tool]
    if tool.proposes and not can_decide(user, organization):
        raise NotAllowed("Asking for actions needs the approver or admin role; you can still summarise records "
                         "and check health.")
    started = time.monotonic()
    odoo = OdooClient(replace(config_for(organization), timeout=tool.budget_seconds), retries=1,
                      backoff=settings.ODOO_RETRY_BACKOFF)
    ctx = ToolContext(organization, user, odoo, guardrails.policy_for(organization), timezone.now(), today,
                      parser.normalised(command), model_client=client)
    try:
        return _run(tool, command, ctx)
    except lookup.Ambiguous as ambiguous:
        return Answer("choose", ambiguous.message, tool=tool.name, choices=[
            {"label": label, "text": command.text.replace(ambiguous.ref, replacement, 1)}
            for replacement, label in ambiguous.options])
    except ExternalError as error:
        if time.monotonic() - started >= tool.budget_seconds:
            raise ToolTimedOut(f"Odoo did not answer within {tool.budget_seconds:g} seconds; nothing was done. "
                               "Try again in a moment.") from None
        raise ApplicationError(f"Odoo could not answer: {error.message}. Nothing was done.") from None
    finally:
        odoo.close()


def _run(tool, command, ctx: ToolContext) -> Answer:
    if tool.name == "summarize":
        summary = tool.run(ctx, command.args, client=ctx.model_client)
        return Answer("answer", summary.title, tool=tool.name, summary=summary.as_dict())
    if tool.name == "health_check":
        checks = tool.run(ctx, command.args)
        failing = [check["name"] for check in checks if not check["ok"]]
        message = "Everything answered." if not failing else f"Needs attention: {', '.join(failing)}."
        return Answer("answer", message, tool=tool.name, checks=checks)
    asked_before = Action.objects.filter(organization=ctx.organization,
                                         idempotency_key=idempotency_key(ctx, tool.name)).first()
    if asked_before is not None:  # the same request in other words (case, spacing, a date's form)
        return Answer("proposed", f"You already asked for this today: {_proposed_message(asked_before)}",
                      tool=tool.name, action=asked_before)
    document = tool.run(ctx, command.args)
    action = action_services.propose(ctx.organization, document, source=Source.ASSISTANT)
    logger.info("assistant proposed %s (%s) for user %s", action.pk, action.action_type, ctx.user.pk)
    return Answer("proposed", _proposed_message(action), tool=tool.name, action=action)


def _proposed_message(action) -> str:
    if action.status == "pending_approval":
        return f"Proposed “{action.title}”: it waits for approval."
    if action.status == "denied":
        return f"The guardrails refused “{action.title}”: {action.status_reason}"
    return f"“{action.title}” is {action.get_status_display().lower()}."


def _zone(organization):
    from zoneinfo import ZoneInfo

    return ZoneInfo(organization.timezone)
