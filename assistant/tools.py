"""The assistant's tools: one entry per command, with its time budget and whether it proposes
an action (and so needs someone who may decide) or only answers."""

from dataclasses import dataclass
from typing import Callable

from . import answers, proposals


@dataclass(frozen=True)
class Tool:
    name: str
    run: Callable
    #: Seconds it may spend: Odoo calls get it as their timeout, and it stops when it is spent.
    budget_seconds: float
    proposes: bool
    label: str


TOOLS: dict[str, Tool] = {tool.name: tool for tool in (
    Tool("create_task", proposals.create_task, 15, True, "a task in Odoo"),
    Tool("remind", proposals.remind, 30, True, "an invoice reminder"),
    Tool("draft_email", proposals.draft_email, 30, True, "an email to a customer"),
    Tool("note", proposals.note, 15, True, "a note on a record"),
    Tool("call", proposals.call, 15, True, "a call on the calendar"),
    Tool("expense", proposals.expense, 15, True, "a draft expense"),
    Tool("summarize", answers.summarize, 30, False, "a summary of a record's conversation"),
    Tool("health_check", answers.health_check, 20, False, "a health check"),
)}
