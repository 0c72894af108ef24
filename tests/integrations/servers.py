"""Local stand-ins for the outside services, on real sockets: an SMTP server (aiosmtpd) and an
HTTP server that plays SMTP2GO's API or the SMS gateway. Both record what they received and
answer what the test scripts, so a test sees exactly what would have left the machine.

Use them as context managers, or through the `smtp_server` and `http_server` fixtures
(tests/fixtures/mail.py).
"""

import asyncio
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


def free_port() -> int:
    """A TCP port nobody listens on (right now): for servers that need a port up front, and
    for "the server is down" tests."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class SmtpTestServer:
    """aiosmtpd on a free port. `fail_rcpt` / `fail_data` make it answer that reply (e.g.
    "550 5.1.1 No such user") to RCPT or at the end of DATA; `drop_at_data` closes the
    connection instead of answering; `delay` seconds pass before each message is accepted (so
    a signal or an outage lands while a worker is sending). Only accepted messages are recorded
    in `received`."""

    def __init__(self):
        self.received: list[ReceivedMail] = []
        self.delay = 0.0
        self.fail_rcpt: str | None = None
        self.fail_data: str | None = None
        self.drop_at_data = False
        self.port = free_port()
        self.host = "127.0.0.1"
        self._controller = Controller(self, hostname=self.host, port=self.port, ready_timeout=5)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc_info):
        self._controller.stop()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.fail_rcpt:
            return self.fail_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        if self.drop_at_data:
            server.transport.close()
            return "421 closing"  # never reaches the client: the transport is gone
        if self.fail_data:
            return self.fail_data
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class ScriptedResponse:
    status: int = 200
    body: object = field(default_factory=dict)  # serialised as JSON unless it is bytes
    delay: float = 0.0


class HttpTestServer:
    """A threaded HTTP server on a free port. Every request is recorded in `requests`; the
    answers are taken from `script` in order, then `default` is repeated."""

    def __init__(self, default: ScriptedResponse | None = None):
        self.requests: list[RecordedRequest] = []
        self.script: list[ScriptedResponse] = []
        self.default = default or ScriptedResponse()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int = 200, body: object = None, *, delay: float = 0.0) -> None:
        """Queue one answer."""
        self.script.append(ScriptedResponse(status, {} if body is None else body, delay))

    def _next_response(self, request: RecordedRequest) -> ScriptedResponse:
        with self._lock:
            self.requests.append(request)
            return self.script.pop(0) if self.script else self.default

    def _handler_class(self):
        test_server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest("POST", self.path, dict(self.headers.items()), self.rfile.read(length))
                response = test_server._next_response(request)
                if response.delay:
                    time.sleep(response.delay)
                payload = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (timeout tests)

            def log_message(self, format, *args):
                pass

        return Handler
