"""Each tool has a time budget: an Odoo that never answers costs the person that long at most,
and an Odoo that is down is said so. Nothing is proposed either way."""

import socket
import threading
from dataclasses import replace

import pytest

from actions.models import Action
from aiom.errors import ApplicationError
from assistant import services, tools
from assistant.services import ToolTimedOut, handle
from integrations.models import OdooConnection


@pytest.fixture
def silent_odoo():
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _connect(org, url):
    OdooConnection.objects.create(organization=org, url=url, database="db", username="admin", secret="key",
                                  protocol="xmlrpc", timeout=30)


def test_a_tool_stops_when_its_budget_is_spent(org, approver, silent_odoo, monkeypatch):
    _connect(org, silent_odoo)
    monkeypatch.setitem(services.TOOLS, "call", replace(tools.TOOLS["call"], budget_seconds=0.5))
    with pytest.raises(ToolTimedOut, match="did not answer within 0.5 seconds"):
        handle(org, approver, "call Kinetic Labs")
    assert not Action.objects.exists()


def test_odoo_down_is_a_clear_error(org, approver):
    _connect(org, "http://127.0.0.1:9")
    with pytest.raises(ApplicationError, match="Odoo could not answer"):
        handle(org, approver, "note on deal Website: called")
    assert not Action.objects.exists()
