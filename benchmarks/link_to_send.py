"""From pressing Approve on an emailed approval link to the customer's email accepted by the SMTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aiom CELERY_BROKER_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python benchmarks/link_to_send.py [--n 40] [--keep-db]

Creates a scratch PostgreSQL database (``aiom_bench_link``, on the server of DATABASE_URL),
migrates it and starts everything an approval by email goes through: the Odoo sandbox in a
process of its own, an SMTP server (aiosmtpd) in this process that timestamps every message
it accepts, ``celery -A aiom worker`` with ``--worker-processes`` pool processes on
CELERY_BROKER_URL (default Redis database 2; its queue is purged, so give it a database of its
own) and gunicorn serving AIOM with the production settings (DEBUG off).

One organisation sends email at any hour and at once when approved (no send delay, no limit
per customer or per hour: the same customers get several reminders in a few seconds). N
invoice reminders, each to the customer of a real unpaid sandbox invoice and checked again
against it before sending, wait for approval; each gets the signed Approve link an approval
email carries. Then, one action at a time, as the approver's browser does: GET the link's
confirmation page (it sets the CSRF cookie), POST its form (the Approve button) and wait until
the SMTP server accepts that reminder (matched by its X-AIOM-Action header). The time from
sending the POST to that acceptance covers the decision and its commit, the broker, the
worker's claim, guardrails, revalidation against Odoo, the outbound record and the SMTP
conversation. The first --warm-up approvals are not counted (each process's first request
loads code and templates).

Prints the median, p95 and max of those times (target: median < 2 s), how long the Approve
page itself took, and the baseline: the same SMTP send made bare, Django's send_mail from this
process to the same server, N times, with the ratios. The scratch database is dropped at the
end unless --keep-db.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCRATCH_DB = "aiom_bench_link"
DEFAULT_BROKER = "redis://127.0.0.1:6379/2"
WAIT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the SMTP server -------------------------------------------------------------------------------

class TimestampingSmtp:
    """An aiosmtpd handler that accepts every message and notes when: by its X-AIOM-Action
    header, or by its subject when it has none (the bare sends)."""

    def __init__(self):
        self.accepted: dict[str, float] = {}
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        at = time.perf_counter()
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        key = str(message["X-AIOM-Action"] or message["Subject"])
        with self._changed:
            self.accepted[key] = at
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, key: str, timeout: float) -> float | None:
        """When the message `key` was accepted, waiting up to `timeout` seconds; None if never."""
        with self._changed:
            self._changed.wait_for(lambda: key in self.accepted, timeout=timeout)
            return self.accepted.get(key)


def start_smtp(handler: TimestampingSmtp):
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    return controller


# --- the Odoo sandbox ------------------------------------------------------------------------------

def start_sandbox(env: dict, latency_ms: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "manage.py"), "odoo_sandbox", "--port", str(port),
         "--latency-ms", str(latency_ms)],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"the Odoo sandbox did not start:\n{process.stderr.read().decode()}")
            time.sleep(0.1)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the organisation and its pending reminders ----------------------------------------------------

def set_up_organisation(sandbox_url: str):
    """An organisation on the sandbox that sends at once, at any hour, as often as asked; and
    its approver."""
    import datetime

    from django.contrib.auth import get_user_model

    from actions import guardrails
    from aiom.models import Membership, Organization, Role
    from audit.services import SYSTEM
    from integrations.models import OdooConnection
    from integrations.odoo.sandbox.services import Credentials

    org = Organization.objects.create(slug="bench-link", name="Bench Link Ltd", timezone="UTC")
    credentials = Credentials()
    OdooConnection.objects.create(organization=org, url=sandbox_url, database=credentials.db,
                                  username=credentials.login, secret=credentials.api_key, protocol="xmlrpc",
                                  timeout=10)
    # No approval emails: the links are minted here, and the SMTP server sees only the reminders.
    guardrails.policy_update(
        guardrails.policy_for(org), actor=SYSTEM, send_delay_seconds=0, business_hours_start=datetime.time(0, 0),
        business_hours_end=datetime.time(23, 59, 59), weekends_off=False, email_window_hours=0,
        contact_cap_messages=0, emails_per_hour=100_000, notify_by_email=False, notify_by_sms=False)
    approver = get_user_model().objects.create_user(username="bench-link-approver", password=secrets.token_urlsafe(),
                                                    email="approver@bench-link.example")
    Membership.objects.create(user=approver, organization=org, role=Role.APPROVER)
    return org, approver


def unpaid_invoices(org) -> list[dict]:
    """The sandbox's unpaid customer invoices whose customer has a usable email address, with
    that customer and that address (read from the Odoo field as the analyzers read it)."""
    from analyzers.contacts import email_addresses
    from integrations.models import OdooConnection
    from integrations.odoo.client import OdooClient

    with OdooClient(OdooConnection.objects.get(organization=org).config()) as odoo:
        invoices = odoo.search_read("account.move", [
            ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
            ("partner_id.email", "!=", False)], ["name", "partner_id", "amount_residual"], order="id")
        partners = {row["id"]: row for row in odoo.read(
            "res.partner", sorted({invoice["partner_id"][0] for invoice in invoices}), ["name", "email"])}
    usable = []
    for invoice in invoices:
        partner = partners[invoice["partner_id"][0]]
        addresses = email_addresses(partner["email"])
        if addresses:
            usable.append({**invoice, "partner": {**partner, "email": addresses[0]}})
    if not usable:
        sys.exit("the sandbox has no unpaid invoice of a customer with a usable email address")
    return usable


def pending_reminders(org, approver, n: int) -> list[tuple[str, str]]:
    """N pending invoice reminders, round-robin over the unpaid invoices: [(action id, Approve link)]."""
    from actions import services
    from actions.models import Decision
    from actions.tokens import link_url, make_token
    from tests.execution.actions import reminder

    invoices = unpaid_invoices(org)
    links = []
    for index in range(n):
        document = reminder(invoices[index % len(invoices)])
        # The per-customer "no email in the last 4 hours" check would block the repeats; the
        # invoice's own checks (it exists, is unpaid, still owes the amount) stay.
        checks = document["revalidation_plan"]["checks"]
        document["revalidation_plan"]["checks"] = [
            check for check in checks if check["predicate"]["type"] != "no_duplicate_action_in_window"]
        action = services.propose(org, document, source="analyzer")
        if action.status != "pending_approval":
            sys.exit(f"a reminder did not wait for approval: it is {action.status}")
        links.append((str(action.pk), link_url(make_token(action, approver, Decision.APPROVE))))
    return links


# --- the approver's browser ------------------------------------------------------------------------

class DecisionForm(HTMLParser):
    """The confirmation page's decision form: where it posts and its fields."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "decide" in (attrs.get("class") or "").split():
            self.action, self._inside = attrs.get("action"), True
        elif tag == "input" and self._inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def approve_by_link(session, base: str, link: str) -> tuple[float, float]:
    """GET the link's page, then press Approve; returns (when the POST was sent, when its answer came)."""
    page = session.get(link, timeout=30)
    if page.status_code != 200:
        sys.exit(f"the approval link page answered HTTP {page.status_code}")
    form = DecisionForm()
    form.feed(page.text)
    if not form.action or "csrfmiddlewaretoken" not in form.fields:
        sys.exit("the approval link page has no decision form")
    sent = time.perf_counter()
    response = session.post(base + form.action, data=form.fields, timeout=30, allow_redirects=False,
                            headers={"Referer": link})
    answered = time.perf_counter()
    if response.status_code != 200 or "<h1>Approved</h1>" not in response.text:
        sys.exit(f"pressing Approve answered HTTP {response.status_code}:\n{response.text[:2000]}")
    return sent, answered


# --- the figures -----------------------------------------------------------------------------------

def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"median": statistics.median(ordered), "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
            "max": ordered[-1]}


def line(label: str, figures: dict) -> str:
    return f"{label:<44} median {figures['median'] * 1000:7.1f} ms  p95 {figures['p95'] * 1000:7.1f} ms  " \
           f"max {figures['max'] * 1000:7.1f} ms"


def all_executed(action_ids: list[str]) -> str:
    """Wait for every approved reminder to finish (the chatter note follows the send); says so,
    or exits with where they are."""
    from collections import Counter

    from actions.models import Action, ActionStatus

    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        counts = Counter(Action.objects.filter(pk__in=action_ids).values_list("status", flat=True))
        if counts[ActionStatus.EXECUTED] == len(action_ids):
            return f"all {len(action_ids)} reminders executed"
        if time.monotonic() > deadline:
            sys.exit(f"not every reminder was executed: {dict(counts)}")
        time.sleep(0.1)


def bare_sends(smtp: TimestampingSmtp, n: int) -> list[float]:
    """Django's send_mail to the same server, one message at a time, timed to its acceptance."""
    from django.core.mail import send_mail

    times = []
    for index in range(n):
        subject = f"Bare send {index} {uuid.uuid4().hex}"
        sent = time.perf_counter()
        send_mail(subject, "Invoice INV/0001 is still open. Thank you for paying it.", None,
                  ["customer@bench-link.example"])
        accepted = smtp.wait_for(subject, WAIT_SECONDS)
        if accepted is None:
            sys.exit("the SMTP server did not accept a bare send")
        times.append(accepted - sent)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="reminders to approve by link (and bare sends); default 40")
    parser.add_argument("--warm-up", type=int, default=2,
                        help="approvals made first and not counted: each process's first request loads code; "
                             "default 2")
    parser.add_argument("--worker-processes", type=int, default=2, help="Celery worker pool processes; default 2")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="gunicorn worker processes; default 2")
    parser.add_argument("--odoo-latency-ms", type=float, default=0.0,
                        help="added to every sandbox answer, like the round trip to a hosted Odoo; default 0")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {SCRATCH_DB} database afterwards")
    args = parser.parse_args()
    if args.n < 1 or args.warm_up < 0 or args.worker_processes < 1 or args.gunicorn_workers < 1:
        parser.error("--n, --worker-processes and --gunicorn-workers must be at least 1, --warm-up at least 0")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")

    sys.path.insert(0, str(PROJECT_DIR))
    from approve_load import start_gunicorn
    from pipeline import start_worker, stop_worker
    from report import bench
    from scratch import drop_database, recreate_database

    smtp = TimestampingSmtp()
    controller = start_smtp(smtp)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": recreate_database(database_url, SCRATCH_DB),
           "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER,
           "DJANGO_SETTINGS_MODULE": "aiom.settings", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "127.0.0.1", "APP_URL": base, "SECURE_SSL_REDIRECT": "false",
           "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
           "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}"}
    for name in ("EMAIL_BACKEND", "SMTP2GO_API_KEY"):  # email goes over SMTP to the server above
        env.pop(name, None)
        os.environ.pop(name, None)
    os.environ.update(env)
    sandbox = worker = server = None
    log_path = Path(tempfile.mkstemp(prefix="aiom-bench-link-worker-", suffix=".log")[1])
    try:
        import django

        django.setup()
        import requests
        from django.core.management import call_command

        from actions.models import Action
        from aiom.celery import app

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        sandbox, sandbox_url = start_sandbox(env, args.odoo_latency_ms)
        org, approver = set_up_organisation(sandbox_url)
        links = pending_reminders(org, approver, args.warm_up + args.n)
        app.control.purge()
        print(f"scratch database {SCRATCH_DB} migrated, {len(links)} reminders waiting for approval "
              f"({time.perf_counter() - started:.0f} s); sandbox at {sandbox_url} (+{args.odoo_latency_ms:g} ms), "
              f"SMTP on port {controller.port}, broker {env['CELERY_BROKER_URL']}", flush=True)
        started = time.perf_counter()
        worker = start_worker(env, args.worker_processes, log_path)
        server = start_gunicorn(port, args.gunicorn_workers, env)
        print(f"{args.worker_processes} worker processes and gunicorn with {args.gunicorn_workers} workers "
              f"up ({time.perf_counter() - started:.0f} s)", flush=True)

        to_smtp, page_times = [], []
        for index, (action_id, link) in enumerate(links):
            with requests.Session() as session:  # the approver's browser, not signed in
                sent, answered = approve_by_link(session, base, link)
            accepted = smtp.wait_for(action_id, WAIT_SECONDS)
            if accepted is None:
                action = Action.objects.get(pk=action_id)
                sys.exit(f"the reminder was not sent within {WAIT_SECONDS} s: it is {action.status} "
                         f"({action.status_reason})\n{log_path.read_text(errors='replace')[-4000:]}")
            if index >= args.warm_up:
                to_smtp.append(accepted - sent)
                page_times.append(answered - sent)
        executed = all_executed([action_id for action_id, _ in links])
        bare_times = bare_sends(smtp, args.n)

        link_figures, page_figures, bare_figures = summary(to_smtp), summary(page_times), summary(bare_times)
        print(line(f"Approve pressed -> email accepted (n={args.n})", link_figures))
        print(line("Approve pressed -> its answer page back", page_figures))
        print(line(f"bare send_mail -> email accepted (n={args.n})", bare_figures))
        ratio = link_figures["median"] / bare_figures["median"]
        verdict = "met" if link_figures["median"] < 2 else "NOT met"
        print(f"ratio link / bare (medians) = {ratio:.1f}; target median < 2 s: {verdict}; {executed}")
        for name in ("median", "p95", "max"):
            bench(f"Approve link pressed → email accepted, {name}", link_figures[name] * 1000, unit="ms",
                  baseline=bare_figures[name] * 1000, against="bare send_mail to the same SMTP server")
        bench("Approve page answered, median", page_figures["median"] * 1000, unit="ms")
    finally:
        for process in (server, sandbox):
            if process is not None:
                stop_process(process)
        if worker is not None:
            stop_worker(worker)
        log_path.unlink(missing_ok=True)
        controller.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            drop_database(database_url, SCRATCH_DB)


if __name__ == "__main__":
    main()
