"""What the client does when Odoo is down, flaky, hanging or not Odoo at all — over real sockets."""

import logging
import socket
import threading
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from integrations.errors import ExternalError
from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.errors import (
    OdooAccessDenied, OdooAccessError, OdooLoginRefused, OdooMissingError, OdooSchemaError, OdooServerError,
    OdooTransientError, OdooValidationError, from_fault,
)

PROTOCOLS = ["xmlrpc", "json2"]


class Recorder(list):
    """A ``sleep`` that records the delays instead of waiting."""

    def __call__(self, seconds):
        self.append(seconds)


class FrontServer(ThreadingHTTPServer):
    """A reverse proxy in front of the sandbox, like nginx while Odoo restarts: the first requests
    get what ``plan`` says (an HTTP status, or "hang": read the request, never answer); the
    rest are forwarded."""

    daemon_threads = True

    def __init__(self, upstream, plan):
        super().__init__(("127.0.0.1", 0), FrontHandler)
        self.upstream, self.plan, self.seen = upstream, list(plan), []
        self.release = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class FrontHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self._handle(b"")

    def do_POST(self):
        self._handle(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def _handle(self, body):
        server = self.server
        server.seen.append(self.path)
        action = server.plan.pop(0) if server.plan else "forward"
        if action == "hang":
            server.release.wait()
            return
        if action != "forward":
            self.send_response(action)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Bad Gateway</body></html>")
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
        answer = requests.request(self.command, server.upstream + self.path, data=body, headers=headers, timeout=10)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)


@pytest.fixture
def front(odoo_sandbox):
    servers = []

    def start(plan):
        server = FrontServer(odoo_sandbox.url, plan)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


def make_client(url, sandbox, protocol, *, timeout=5.0, **options):
    config = OdooConfig(url=url, db=sandbox.db, username=sandbox.login, secret=sandbox.api_key,
                        protocol=protocol, timeout=timeout)
    return OdooClient(config, **options)


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_odoo_down_is_retried_with_growing_jittered_backoff_then_raised(odoo_sandbox, protocol):
    sleeps = Recorder()
    client = make_client(closed_port_url(), odoo_sandbox, protocol, retries=4, backoff=0.5, sleep=sleeps)

    with pytest.raises(OdooTransientError, match="unreachable") as down:
        client.search("res.partner", [])

    assert isinstance(down.value, ExternalError)
    assert down.value.transient and not down.value.maybe_done
    assert client.calls == 5
    assert len(sleeps) == 4
    for attempt, delay in enumerate(sleeps):
        assert 0.5 * 2**attempt * 0.5 <= delay <= 0.5 * 2**attempt
    assert len(set(sleeps)) == 4  # jittered, not a fixed schedule


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("status", [502, 503])
def test_gateway_errors_are_retried_until_odoo_answers(odoo_sandbox, front, protocol, status):
    server = front([status, status])
    sleeps = Recorder()
    client = make_client(server.url, odoo_sandbox, protocol, sleep=sleeps)

    assert client.search_count("res.partner", []) > 0
    assert len(sleeps) == 2
    assert client.calls == 4  # login failed twice then passed, then the count


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_other_server_errors_are_not_retried(odoo_sandbox, front, protocol):
    server = front([500])
    client = make_client(server.url, odoo_sandbox, protocol, sleep=Recorder())

    with pytest.raises(OdooServerError, match="HTTP 500") as failed:
        client.version()

    assert isinstance(failed.value, ExternalError)
    assert failed.value.permanent and not failed.value.maybe_done
    assert client.calls == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_hanging_odoo_times_out_as_a_transient_maybe_done_error(odoo_sandbox, front, protocol):
    server = front(["hang", "hang"])
    sleeps = Recorder()
    client = make_client(server.url, odoo_sandbox, protocol, timeout=0.3, retries=1, sleep=sleeps)

    # A deadline, not a speed limit: a client still waiting when the front lets go gets a dropped line instead.
    deadline = threading.Timer(5, server.release.set)
    deadline.start()
    with pytest.raises(OdooTransientError, match="did not answer within 0.3s") as hung:
        client.version()
    deadline.cancel()

    assert len(server.seen) == 2  # both tries reached Odoo and were given up on
    assert isinstance(hung.value, ExternalError)
    assert hung.value.transient and hung.value.maybe_done
    assert len(sleeps) == 1  # reading the version is safe to repeat


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_create_that_timed_out_is_not_repeated(odoo_sandbox, front, protocol):
    server = front(["forward", "hang"])  # the login passes, the create hangs
    sleeps = Recorder()
    client = make_client(server.url, odoo_sandbox, protocol, timeout=0.3, sleep=sleeps)

    with pytest.raises(OdooTransientError) as hung:
        client.create("res.partner", {"name": "Maybe Created"})

    assert hung.value.transient and hung.value.maybe_done
    assert sleeps == [] and client.calls == 2


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_create_answered_by_a_gateway_timeout_is_not_repeated(odoo_sandbox, front, protocol):
    """504: the proxy stopped waiting, Odoo behind it may still have created the record."""
    server = front(["forward", 504])
    sleeps = Recorder()
    client = make_client(server.url, odoo_sandbox, protocol, sleep=sleeps)

    with pytest.raises(OdooTransientError, match="HTTP 504") as timed_out:
        client.create("res.partner", {"name": "Maybe Created"})

    assert timed_out.value.transient and timed_out.value.maybe_done
    assert sleeps == [] and client.calls == 2


def test_json2_against_an_older_odoo_says_so(odoo_sandbox, front):
    server = front([404])
    client = make_client(server.url, odoo_sandbox, "json2")

    with pytest.raises(OdooSchemaError, match="JSON-2 needs Odoo 19"):
        client.search("res.partner", [])


def test_legacy_xmlrpc_string_faults_map_to_the_same_errors(odoo_sandbox):
    """Older tools use /xmlrpc/object, whose faults carry string codes."""
    common = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/common")
    uid = common.authenticate(odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.password, {})
    legacy = xmlrpc.client.ServerProxy(f"{odoo_sandbox.url}/xmlrpc/object")
    as_admin = (odoo_sandbox.db, uid, odoo_sandbox.password)
    calls = {
        OdooAccessDenied: (odoo_sandbox.db, uid, "wrong-password", "res.partner", "search", [[]]),
        OdooAccessError: (*as_admin, "res.partner", "_compute_display_name", [[1]]),
        OdooMissingError: (*as_admin, "res.partner", "write", [[999_999], {"name": "x"}]),
        OdooValidationError: (*as_admin, "project.task", "create", [{}]),
        OdooSchemaError: (*as_admin, "no.such.model", "search", [[]]),
    }
    for expected, params in calls.items():
        with pytest.raises(xmlrpc.client.Fault) as fault:
            legacy.execute_kw(*params)
        assert isinstance(fault.value.faultCode, str)
        assert type(from_fault(fault.value)) is expected, fault.value


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_credentials_never_reach_logs_reprs_or_errors(odoo_sandbox, front, protocol, caplog):
    caplog.set_level(logging.DEBUG)
    server = front([503])
    client = make_client(server.url, odoo_sandbox, protocol, sleep=Recorder())
    client.search_read("res.partner", [], ["name"], limit=1)
    wrong = OdooConfig(url=odoo_sandbox.url, db=odoo_sandbox.db, username=odoo_sandbox.login,
                       secret="wrong-secret-123", protocol=protocol)
    with pytest.raises(OdooLoginRefused) as error:
        OdooClient(wrong).search("res.partner", [])

    exposed = caplog.text + repr(client) + repr(client.config) + repr(client.transport) + repr(wrong) + str(error.value)
    assert "retry 1 of 3" in caplog.text
    for secret in (odoo_sandbox.api_key, "wrong-secret-123"):
        assert secret not in exposed
