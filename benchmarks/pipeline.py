"""How fast approved actions go through AIOM's whole executor, compared with the bare Odoo calls.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aiom CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/pipeline.py [--n 2000] [--workers 2]

Creates a scratch PostgreSQL database (``aiom_bench``, on the server of ``DATABASE_URL``),
migrates it, starts the Odoo sandbox in this process and ``celery -A aiom worker`` with
``--workers`` pool processes on ``CELERY_BROKER_URL`` (its default queue is purged: use a Redis
database of its own). It then approves N "note on record" actions in one transaction and times
them from the commit (which enqueues them) until every one is executed: claim, guardrails,
revalidation against Odoo, outbound record, the chatter note, result and audit events.

In the same run it makes the same Odoo calls per action straight through ``OdooClient`` from
``--workers`` processes — the record read that revalidation does, then ``message_post`` —
the bare rate of the same sandbox calls without AIOM, and prints both rates and their ratio
(targets: AIOM >= 0.3 x bare with the sandbox answering at once, >= 0.8 x with
``--odoo-latency-ms`` added to every answer, the round trip to a hosted Odoo). Each pass prints
the mean ms per step from the execution logs and AIOM's bookkeeping (claim + ledger + record,
audit events included; target <= 15 ms). A last pass runs ``--scale-workers`` processes at the
added latency and prints its rate over the ``--workers`` one (target >= 1.7 for 4 over 2). The
scratch database (``--db-name``) is dropped at the end unless ``--keep-db``.
"""

import argparse
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from report import bench
from scratch import drop_database, recreate_database

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCRATCH_DB = "aiom_bench"


# --- the actions -----------------------------------------------------------------------------------

def note_protocol(partner_id: int, index: int) -> dict:
    """A valid "note on record" action for one sandbox partner."""
    now = datetime.now(UTC).replace(microsecond=0)
    body = f"Benchmark note {index}: the customer asked to be called back next week."
    return {
        "action_id": str(uuid.uuid4()),
        "action_type": "note_on_record",
        "safe_operation": "create_internal_note",
        "operation": {"type": "create_internal_note",
                      "inputs": {"model": "res.partner", "record_id": partner_id, "body": body}},
        "risk_level": "low",
        "title": f"Note on partner {partner_id}",
        "expected_effect": "The account manager sees the customer's request in the chatter.",
        "reasoning": "The customer asked for a call back; the team should see it on the partner.",
        "proposed_changes": [{"model": "res.partner", "record_id": partner_id, "field": "message_ids",
                              "after": body, "change_type": "append"}],
        "revalidation_plan": {"checks": [{"check_id": "exists", "predicate": {
            "type": "odoo_record_exists", "model": "res.partner", "id": partner_id}}]},
        "affected_records": {"odoo_model": "res.partner", "odoo_ids": [partner_id]},
        "idempotency_key": f"bench:note:{uuid.uuid4().hex}",
        "created_at": now.isoformat(),
        "expires_at": (now + timedelta(hours=24)).isoformat(),
        "created_by": "ai_coo",
        "source": "analyzer",
    }


def set_up_organisation(sandbox):
    from django.contrib.auth import get_user_model

    from aiom.models import Membership, Organization, Role
    from integrations.models import OdooConnection

    org = Organization.objects.create(slug="bench", name="Bench Ltd", timezone="UTC")
    user = get_user_model().objects.create_user(username="bench-approver", password=secrets.token_urlsafe())
    Membership.objects.create(user=user, organization=org, role=Role.APPROVER)
    OdooConnection.objects.create(organization=org, url=sandbox.url, database=sandbox.db, username=sandbox.login,
                                  secret=sandbox.api_key, protocol="xmlrpc", timeout=10)
    return org, user


def approve_all(org, user, partner_ids: list[int], n: int):
    """Propose and approve N actions in one transaction; returns (their ids, commit time). The
    commit enqueues them all, so the clock starts there."""
    from django.db import transaction

    from actions import services

    ids = []
    with transaction.atomic():
        for index in range(n):
            action = services.propose(org, note_protocol(partner_ids[index % len(partner_ids)], index),
                                      source="analyzer")
            ids.append(services.approve(action, user).pk)
        started = time.perf_counter()
    return ids, started


def wait_executed(ids: list, timeout: float) -> float:
    """Poll until every action is executed; returns the time it happened."""
    from collections import Counter

    from actions.models import Action, ActionStatus

    deadline = time.perf_counter() + timeout
    while True:
        counts = Counter(Action.objects.filter(pk__in=ids).values_list("status", flat=True))
        if counts[ActionStatus.EXECUTED] == len(ids):
            return time.perf_counter()
        if time.perf_counter() > deadline or counts[ActionStatus.FAILED]:
            sys.exit(f"not all actions executed: {dict(counts)}")
        time.sleep(0.05)


#: The executor's own commits, each including its audit events: what AIOM adds around Odoo.
BOOKKEEPING = ("claim", "ledger", "record")


def mean_step_times(ids: list) -> dict[str, float]:
    """Where an execution spends its time, from the execution logs (mean ms per action and
    step), plus the bookkeeping total (claim + ledger + record, audit events included)."""
    from collections import Counter

    from actions.models import ExecutionLog

    totals = Counter()
    for steps in ExecutionLog.objects.filter(action_id__in=ids).values_list("steps", flat=True):
        totals.update({step["step"]: step["ms"] for step in steps})
    means = {name: total / len(ids) for name, total in totals.items()}
    means["bookkeeping"] = sum(means.get(name, 0.0) for name in BOOKKEEPING)
    return means


def shown(means: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.1f}" for name, value in means.items())


def run_pass(org, user, partner_ids, n: int, workers: int) -> tuple[float, dict[str, float]]:
    """Approve N notes and time them until executed: (actions/s, mean ms per step)."""
    ids, started = approve_all(org, user, partner_ids, n)
    rate = n / (wait_executed(ids, timeout=max(120, n / 2)) - started)
    means = mean_step_times(ids)
    print(f"AIOM  {n} approved notes executed by {workers} worker processes: {rate:8.1f} actions/s")
    print(f"      mean ms per action and step: {shown(means)} (target bookkeeping <= 15)")
    return rate, means


# --- the worker ------------------------------------------------------------------------------------

def start_worker(env: dict, concurrency: int, log_path: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [str(celery), "-A", "aiom", "worker", "--pool", "prefork", "-c", str(concurrency), "-n",
             f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "INFO"], cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            sys.exit(f"the worker did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


# --- the bare calls --------------------------------------------------------------------------------

_client = None


def _connect(config) -> None:
    """Pool initializer: one logged-in client per process, as a worker process would keep."""
    global _client
    from integrations.odoo.client import OdooClient

    _client = OdooClient(config)
    _client.search("res.partner", [], limit=1)  # logs in


def _post_notes(partner_ids: list[int]) -> tuple[int, float, float]:
    """What AIOM asks of Odoo per note action: read the record (revalidation), post the note."""
    started = time.time()
    for index, partner_id in enumerate(partner_ids):
        _client.read("res.partner", [partner_id], ["display_name"])
        _client.message_post("res.partner", partner_id, f"Bare note {index}")
    return len(partner_ids), started, time.time()


def bare_rate(config, partner_ids: list[int], n: int, processes: int) -> float:
    """Calls per second from the first call in any process to the last call in any process."""
    targets = [partner_ids[index % len(partner_ids)] for index in range(n)]
    chunks = [targets[start::processes] for start in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_connect, initargs=(config,)) as pool:
        runs = pool.map(_post_notes, chunks, chunksize=1)
    return sum(count for count, _, _ in runs) / (max(end for _, _, end in runs) - min(start for _, start, _ in runs))


# ---------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="actions to execute (and bare calls to make)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (and bare client processes)")
    parser.add_argument("--scale-workers", type=int, default=4,
                        help="worker processes of a last pass at the added latency, compared with --workers (0: skip)")
    parser.add_argument("--db-name", default=SCRATCH_DB, help="name of the scratch database")
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--odoo-latency-ms", type=float, default=40.0,
                        help="added to every sandbox answer in the second measurement")
    args = parser.parse_args()
    if args.n < 1 or args.workers < 1:
        parser.error("--n and --workers must be at least 1")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")

    os.environ["DATABASE_URL"] = recreate_database(database_url, args.db_name)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_SETTINGS_MODULE"] = "aiom.settings"
    sys.path.insert(0, str(PROJECT_DIR))
    worker = None
    log_path = Path(tempfile.mkstemp(prefix="aiom-bench-worker-", suffix=".log")[1])
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from aiom.celery import app
        from integrations.models import OdooConnection
        from integrations.odoo.sandbox.server import start_in_thread

        call_command("migrate", verbosity=0)
        sandbox = start_in_thread(seed="demo")
        org, user = set_up_organisation(sandbox)
        from integrations.odoo.client import OdooClient

        config = OdooConnection.objects.get(organization=org).config()
        with OdooClient(config) as odoo:
            partner_ids = odoo.search("res.partner", [("email", "!=", False)])
        app.control.purge()
        print(f"scratch database {args.db_name} migrated; sandbox at {sandbox.url}; broker {settings.CELERY_BROKER_URL}")

        worker = start_worker(dict(os.environ), args.workers, log_path)
        latencies = {0.0: "instant Odoo", args.odoo_latency_ms: f"{args.odoo_latency_ms:g} ms Odoo latency"}
        rates = {}
        for latency_ms, odoo in latencies.items():
            sandbox.server.latency = latency_ms / 1000
            print(f"--- Odoo answering with {latency_ms:g} ms latency")
            aiom, means = run_pass(org, user, partner_ids, args.n, args.workers)
            rates[latency_ms] = aiom
            bare = bare_rate(config, partner_ids, args.n, args.workers)
            target = 0.8 if latency_ms else 0.3
            print(f"bare  {args.n} x (read + message_post) from {args.workers} client processes: {bare:8.1f} actions/s")
            print(f"ratio AIOM / bare = {aiom / bare:.2f} (target >= {target})")
            bench(f"approved notes executed, {odoo}", aiom, unit="actions/s", baseline=bare,
                  against=f"the same Odoo calls made bare from {args.workers} processes")
            bench(f"mean ms per action and step, {odoo}", shown(means))
            bench(f"AIOM bookkeeping per action (claim, ledger, record, audit), {odoo}",
                  round(means["bookkeeping"], 1), unit="ms")
        if args.scale_workers and args.scale_workers != args.workers:
            stop_worker(worker)
            worker = start_worker(dict(os.environ), args.scale_workers, log_path)
            sandbox.server.latency = args.odoo_latency_ms / 1000
            print(f"--- {args.scale_workers} worker processes, Odoo answering with {args.odoo_latency_ms:g} ms latency")
            scaled, _ = run_pass(org, user, partner_ids, args.n, args.scale_workers)
            before = rates[args.odoo_latency_ms]
            print(f"scaling {args.scale_workers} / {args.workers} workers = {scaled / before:.2f} (target >= 1.7)")
            bench(f"approved notes executed by {args.scale_workers} workers, {args.odoo_latency_ms:g} ms Odoo latency",
                  scaled, unit="actions/s", baseline=before, against=f"{args.workers} worker processes")
        sandbox.stop()
    finally:
        if worker is not None:
            stop_worker(worker)
        log_path.unlink(missing_ok=True)
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(database_url, args.db_name)


if __name__ == "__main__":
    main()
