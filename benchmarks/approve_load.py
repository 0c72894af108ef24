"""Approval console under load: concurrent approvers against a production-like server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aiom CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python benchmarks/approve_load.py [--clients 20] [--seconds 30] [--gunicorn-workers 4] \\
        [--database aiom_load] [--port 8765]

Creates a scratch PostgreSQL database (``--database``, default ``aiom_load``; give each
concurrent run its own name and port), migrates it, proposes enough pending
actions, and serves AIOM with gunicorn (DEBUG off, the production settings). Then ``--clients``
logged-in approvers, each in its own thread, alternate for ``--seconds``: read the approval
queue, approve the next action. In the same run the same clients hit a trivial Django view
(``/healthz``: one ``SELECT 1``) for as long. Prints requests/s, p50/p99 latency and errors
for both, and their ratio; before the load, one client's median time for the queue page (20
cards shown) over 30 requests in a row, beside the trivial view's. Approvals enqueue
executions on the broker; no worker runs, and the queue is purged at the end. The scratch
database is dropped unless ``--keep-db``.
"""

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from report import bench  # noqa: E402
from scratch import drop_database, recreate_database  # noqa: E402

SCRATCH_DB = "aiom_load"
PASSWORD = secrets.token_urlsafe(16)


def prepare(clients: int, actions_per_client: int) -> list[tuple[str, list[str]]]:
    """Approvers and their share of pending actions: [(username, [action ids])]."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from actions import guardrails, services
    from aiom.models import Membership, Organization, Role
    from audit.services import SYSTEM
    from tests.actions.protocols import protocol_for

    org = Organization.objects.create(slug="load", name="Load Ltd", timezone="UTC")
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, notify_by_email=False, notify_by_sms=False)
    shares = []
    for index in range(clients):
        username = f"approver{index}"
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=user, organization=org, role=Role.APPROVER)
        with transaction.atomic():
            ids = [str(services.propose(org, protocol_for("note_on_record", risk_level="low"), source="analyzer").pk)
                   for _ in range(actions_per_client)]
        shares.append((username, ids))
    return shares


def start_gunicorn(port: int, workers: int, env: dict, timeout: float = 120) -> subprocess.Popen:
    """gunicorn serving AIOM on `port`, once /healthz answers (a busy machine boots it slowly)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "aiom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start:\n{process.stderr.read().decode()}")


def logged_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/accounts/login/", timeout=10, allow_redirects=False,
                            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    if response.status_code != 302:
        sys.exit(f"login failed for {username}: HTTP {response.status_code}")
    return session


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0

    def record(self, started: float, ok: bool) -> None:
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            self.errors += not ok

    def report(self, label: str, seconds: float) -> tuple[float, float]:
        """Print the figures; returns (requests per second, p99 in ms)."""
        rate = len(self.latencies) / seconds
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"{label:<26} {rate:8.1f} req/s  p50 {statistics.median(ordered) * 1000:6.1f} ms  "
              f"p99 {p99 * 1000:6.1f} ms  errors {self.errors} of {len(self.latencies)}")
        return rate, p99 * 1000


def approver_loop(base: str, session: requests.Session, action_ids: list[str], until: float, tally: Tally) -> None:
    """Alternate: read the queue, approve the next action (with the hash shown on its card)."""
    pending = iter(action_ids)
    while time.perf_counter() < until:
        started = time.perf_counter()
        page = session.get(f"{base}/dashboard/approvals/", timeout=30)
        tally.record(started, page.status_code == 200)
        action_id = next(pending, None)
        if action_id is None:
            continue
        detail = session.get(f"{base}/dashboard/actions/{action_id}/", timeout=30).text
        protocol_hash = re.search(r'name="protocol_hash" value="([0-9a-f]{64})"', detail).group(1)
        started = time.perf_counter()
        response = session.post(f"{base}/dashboard/actions/{action_id}/approve/", timeout=30, allow_redirects=False,
                                data={"protocol_hash": protocol_hash, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                                headers={"Referer": f"{base}/dashboard/approvals/"})
        tally.record(started, response.status_code == 302)


def trivial_loop(base: str, session: requests.Session, until: float, tally: Tally) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        tally.record(started, session.get(f"{base}/healthz", timeout=30).status_code == 200)


def sequential_median(session: requests.Session, url: str, times: int = 30) -> float:
    """Median milliseconds of `times` requests one after another (one client, no contention)."""
    session.get(url, timeout=30)  # the worker's first request warms its caches
    latencies = []
    for _ in range(times):
        started = time.perf_counter()
        if session.get(url, timeout=30).status_code != 200:
            sys.exit(f"{url} did not answer 200")
        latencies.append(time.perf_counter() - started)
    return statistics.median(latencies) * 1000


def run_clients(target, sessions: list, seconds: float, *args_per_client) -> tuple[Tally, float]:
    tally = Tally()
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=target, args=(session, *(a[i] for a in args_per_client), until, tally))
               for i, session in enumerate(sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20, help="concurrent approvers (threads); default 20")
    parser.add_argument("--seconds", type=float, default=30, help="how long each of the two loads lasts; default 30")
    parser.add_argument("--gunicorn-workers", type=int, default=4, help="gunicorn worker processes; default 4")
    parser.add_argument("--port", type=int, default=8765, help="where gunicorn listens; default 8765")
    parser.add_argument("--database", default=SCRATCH_DB,
                        help=f"name of the scratch database (dropped and created); default {SCRATCH_DB}")
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")

    scratch_url = recreate_database(database_url, args.database)
    env = {**os.environ, "DATABASE_URL": scratch_url, "DJANGO_SETTINGS_MODULE": "aiom.settings", "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
           "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "AXES_FAILURE_LIMIT": "1000"}
    os.environ.update(env)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from aiom.celery import app

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        shares = prepare(args.clients, actions_per_client=int(args.seconds * 4) + 10)
        print(f"scratch database {args.database}: {args.clients} approvers, "
              f"{sum(len(ids) for _, ids in shares)} pending actions")
        server = start_gunicorn(args.port, args.gunicorn_workers, env)
        base = f"http://127.0.0.1:{args.port}"
        sessions = [logged_in(base, username) for username, _ in shares]

        def approver(session, ids, until, tally):
            approver_loop(base, session, ids, until, tally)

        def trivial(session, until, tally):
            trivial_loop(base, session, until, tally)

        one_page = sequential_median(sessions[0], f"{base}/dashboard/approvals/")
        one_bare = sequential_median(sessions[0], f"{base}/healthz")
        print(f"one client, approvals page with 20 cards: median {one_page:.1f} ms of 30 sequential requests "
              f"(trivial view {one_bare:.1f} ms)")
        print(f"{args.clients} clients for {args.seconds:g} s each, gunicorn with {args.gunicorn_workers} workers:")
        tally, elapsed = run_clients(approver, sessions, args.seconds, [ids for _, ids in shares])
        console, console_p99 = tally.report("approvals (read + approve)", elapsed)
        tally, elapsed = run_clients(trivial, sessions, args.seconds)
        bare, bare_p99 = tally.report("trivial view (/healthz)", elapsed)
        print(f"ratio approvals / trivial = {console / bare:.2f}")
        against = f"the trivial view, same {args.clients} clients"
        bench("approval console (read queue + approve)", console, unit="req/s", baseline=bare, against=against)
        bench("approval console p99 latency", console_p99, unit="ms", baseline=bare_p99, against=against)
        bench("approvals page, one client, 20 cards (median of 30)", one_page, unit="ms", baseline=one_bare,
              against="the trivial view, one client")
        app.control.purge()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(database_url, args.database)


if __name__ == "__main__":
    main()
