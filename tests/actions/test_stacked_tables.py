"""On a phone the execution attempts and a record's actions read as stacked rows: every cell
says which column it belongs to (the stylesheet shows that label beside it at 390 px)."""

import re

from django.urls import reverse
from django.utils import timezone

from actions.models import ExecutionLog


def _table_after(page: str, marker: str) -> str:
    return re.search(r"<table[^>]*>.*?</table>", page[page.index(marker):], re.S).group(0)


def _every_cell_is_labelled(table: str, labels: list[str]) -> None:
    assert re.match(r'<table class="[^"]*\bstack\b', table)
    cells = re.findall(r"<td([^>]*)>", table)
    assert cells and all("data-label=" in cell for cell in cells)
    assert [re.search(r'data-label="([^"]+)"', cell).group(1) for cell in cells[:len(labels)]] == labels


def test_the_execution_attempts_stack_on_a_phone(client, approver, make_action):
    action = make_action()
    ExecutionLog.objects.create(action=action, attempt=1, started_at=timezone.now(), outcome="failed",
                                steps=[{"step": "revalidate", "ms": 12}], error="Odoo did not answer")
    client.force_login(approver)

    page = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()

    _every_cell_is_labelled(_table_after(page, "Execution attempts"), ["Attempt", "Started", "Outcome", "Steps", "Error"])


def test_a_records_actions_stack_on_a_phone(client, approver, make_action):
    action = make_action()
    client.force_login(approver)

    page = client.get(reverse("dashboard:record", args=[action.target_model, action.target_id])).content.decode()

    _every_cell_is_labelled(_table_after(page, "<h1>"), ["Action", "Type", "Status", "Why", "Proposed"])
