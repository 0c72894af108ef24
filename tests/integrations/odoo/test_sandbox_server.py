"""Server-level behaviour: paging, concurrency, persistence, startup and independence from Django."""

import subprocess
import sys
import threading
import xmlrpc.client
from pathlib import Path

import requests

from integrations.odoo.sandbox.demo import FACTS
from integrations.odoo.sandbox.server import start_in_thread
from integrations.odoo.sandbox.services import Credentials

from .sessions import XmlRpcSession


def test_paging_with_explicit_order_returns_every_record_once(odoo):
    expected = odoo.call("account.move", "search", [], order="id asc")
    assert len(expected) > 3 * 7  # several pages of 7
    for order in ("id asc", "invoice_date_due asc, id asc", "partner_id, amount_total desc, id"):
        seen, offset = [], 0
        while page := odoo.call("account.move", "search_read", [], fields=["id"], offset=offset, limit=7, order=order):
            seen += [record["id"] for record in page]
            offset += len(page)
        assert sorted(seen) == expected, order
        assert len(seen) == len(set(seen)), order


def test_concurrent_clients_do_not_corrupt_state(odoo_sandbox):
    threads, errors, created = 12, [], []
    baseline = XmlRpcSession(odoo_sandbox)
    [counter_id] = baseline.call("res.partner", "search", [["name", "=", "Emma Claes"]])

    def work(worker):
        try:
            session = XmlRpcSession(odoo_sandbox)
            for number in range(15):
                created.append(session.call("res.partner", "create", {"name": f"Worker {worker} #{number}"}))
                session.call("res.partner", "write", [counter_id], {"comment": f"{worker}-{number}"})
                session.call("res.partner", "search_read", [["name", "like", "Worker"]], fields=["name"], order="id asc")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(worker,)) for worker in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert len(created) == len(set(created)) == threads * 15
    assert baseline.call("res.partner", "search_count", [["name", "like", "Worker"]]) == threads * 15
    assert sorted(odoo_sandbox.store.tables["res.partner"]) == sorted(set(odoo_sandbox.store.tables["res.partner"]))


def test_state_file_keeps_data_between_runs(tmp_path):
    state = tmp_path / "odoo.json"
    first = start_in_thread(seed="demo", state_file=str(state))
    try:
        session = XmlRpcSession(first)
        partner_id = session.call("res.partner", "create", {"name": "Survives restarts"})
    finally:
        first.stop()
    second = start_in_thread(seed="demo", state_file=str(state))
    try:
        session = XmlRpcSession(second)
        assert session.call("res.partner", "search", [["name", "=", "Survives restarts"]]) == [partner_id]
        assert session.call("res.partner", "create", {"name": "Next"}) == partner_id + 1
    finally:
        second.stop()


def test_custom_credentials():
    handle = start_in_thread(seed="empty", credentials=Credentials(db="acme", login="ops", password="s3cret", api_key="k-123"))
    try:
        common = xmlrpc.client.ServerProxy(f"{handle.url}/xmlrpc/2/common")
        assert common.authenticate("acme", "ops", "k-123", {}) == 2
        assert common.authenticate("acme", "admin", "admin", {}) is False
    finally:
        handle.stop()


def test_demo_sandbox_answers_with_its_data_as_soon_as_it_is_started():
    handle = start_in_thread(seed="demo")
    try:  # no waiting for it: the first call is answered
        invoices = XmlRpcSession(handle).call("account.move", "search_count", [["move_type", "=", "out_invoice"]])
        assert invoices == FACTS["customer_invoices"]
    finally:
        handle.stop()


def test_get_is_refused(odoo_sandbox):
    assert requests.get(f"{odoo_sandbox.url}/xmlrpc/2/common", timeout=5).status_code == 405
    assert requests.post(f"{odoo_sandbox.url}/nowhere", timeout=5).status_code == 404


def test_sandbox_core_does_not_import_django():
    code = "import sys, integrations.odoo.sandbox.server; print('django' in sys.modules)"
    repository = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repository)
    assert result.stdout.strip() == "False"
