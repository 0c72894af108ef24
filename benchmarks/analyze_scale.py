"""How the analysis scales with the size of the Odoo database: wall time, Odoo calls, memory.

    .venv/bin/python benchmarks/analyze_scale.py [--sizes 10000 100000] [--page-size 500]
    DATABASE_URL=postgres://…/aiom_bench .venv/bin/python benchmarks/analyze_scale.py --propose

For each size it starts the Odoo sandbox with that many customer invoices in its own process
(as a real Odoo would be), runs the three analyzers against it over XML-RPC, and prints wall
time, Odoo calls, records read and the peak memory of this process. ``--propose`` runs the
whole analysis instead (findings, proposals, plan) for a throwaway organisation in the
database given by DATABASE_URL — use a scratch database: audit events cannot be deleted.
Beside each, the baseline: the same invoices read through the same client and nothing else
done with them (every ``iter_search_read`` of ``account.move`` the analyzers made, with their
domains and fields, replayed), and the ratio analysis / reading. Last, the ratio t(largest)/t(smallest); linear scaling gives about largest/smallest.
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(size: int) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "odoo_sandbox", "--port", str(port), "--size", str(size)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "DEBUG": "1"})
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}", time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the sandbox did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def sandbox_config(url: str):
    from integrations.odoo.config import OdooConfig
    from integrations.odoo.sandbox.services import Credentials

    credentials = Credentials()
    return OdooConfig(url=url, db=credentials.db, username=credentials.login, secret=credentials.api_key,
                      timeout=300)


class RecordingClient:
    """The client, noting every paged read of invoices the analyzers make (for the baseline)."""

    def __init__(self, client):
        self._client = client
        self.invoice_reads: list[tuple[list, list, dict]] = []

    def __getattr__(self, name):
        return getattr(self._client, name)

    def iter_search_read(self, model, domain, fields, **options):
        if model == "account.move":
            self.invoice_reads.append((domain, fields, options))
        return self._client.iter_search_read(model, domain, fields, **options)


def run_analyzers(url: str, page_size: int) -> dict:
    from analyzers import financial, operations, sales
    from integrations.odoo.client import OdooClient

    with OdooClient(sandbox_config(url)) as client:
        odoo = RecordingClient(client)
        started = time.perf_counter()
        findings = 0
        for analyzer in (financial.analyze, sales.analyze, operations.analyze):
            findings += len(analyzer(odoo, as_of=_today(), page_size=page_size).findings)
        return {"seconds": time.perf_counter() - started, "calls": client.calls, "findings": findings,
                "invoice_reads": odoo.invoice_reads}


def read_invoices(url: str, reads: list[tuple[list, list, dict]]) -> dict:
    """The baseline: the analyzers' invoice reads made again, nothing else done with the records."""
    from integrations.odoo.client import OdooClient

    with OdooClient(sandbox_config(url)) as odoo:
        started = time.perf_counter()
        records = sum(1 for domain, fields, options in reads
                      for _ in odoo.iter_search_read("account.move", domain, fields, **options))
        return {"seconds": time.perf_counter() - started, "calls": odoo.calls, "records": records}


def run_full_analysis(url: str, size: int) -> dict:
    from aiom.models import Organization
    from analyzers.services import run_analysis
    from integrations.models import OdooConnection
    from integrations.odoo.sandbox.services import Credentials

    credentials = Credentials()
    slug = f"bench-{size}-{uuid.uuid4().hex[:6]}"
    organization = Organization.objects.create(slug=slug, name=f"Benchmark {size}", timezone="Europe/Brussels")
    OdooConnection.objects.create(organization=organization, url=url, database=credentials.db,
                                  username=credentials.login, secret=credentials.api_key, timeout=300)
    started = time.perf_counter()
    analysis = run_analysis(organization, as_of=_today())
    return {"seconds": time.perf_counter() - started, "calls": analysis.odoo_calls,
            "findings": analysis.findings.count(), "proposed": len(analysis.proposals.get("proposed", [])),
            "status": analysis.status}


def _today():
    from datetime import date

    return date.today()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                        help="customer invoices in each sandbox; default 10000 100000")
    parser.add_argument("--page-size", type=int, default=500, help="records per Odoo read; default 500")
    parser.add_argument("--propose", action="store_true", help="run the whole analysis (needs DATABASE_URL)")
    args = parser.parse_args()
    if args.propose and "DATABASE_URL" not in os.environ:
        raise SystemExit("--propose writes to the database: set DATABASE_URL to a scratch database.")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiom.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + uuid.uuid4().hex)
    import django

    from report import bench

    django.setup()
    what = "analysis" if args.propose else "analyzers"
    times = {}
    for size in sorted(args.sizes):
        process, url, boot = start_sandbox(size)
        try:
            before = peak_rss_mb()
            result = run_full_analysis(url, size) if args.propose else run_analyzers(url, args.page_size)
            times[size] = result["seconds"]
            # The invoice reads to replay; --propose makes its own client, so the analyzers run once more for them.
            reads = result.pop("invoice_reads", None) or run_analyzers(url, args.page_size)["invoice_reads"]
            extra = "".join(f", {key} {value}" for key, value in result.items() if key not in ("seconds", "calls"))
            print(f"{size:>8} invoices: {result['seconds']:7.2f} s, {result['calls']:>4} Odoo calls{extra}; "
                  f"peak RSS {peak_rss_mb():.0f} MB (+{peak_rss_mb() - before:.0f} MB); sandbox up in {boot:.1f} s")
            bare = read_invoices(url, reads)
            print(f"{'':>8} baseline: {bare['records']} invoices read again in {bare['seconds']:7.2f} s, "
                  f"{bare['calls']:>4} Odoo calls; ratio {what} / reading = {result['seconds'] / bare['seconds']:.1f}")
            bench(f"{what} at {size:,} invoices", result["seconds"], unit="s", baseline=bare["seconds"],
                  against="reading the same invoices through the client")
        finally:
            process.terminate()
            process.wait(timeout=10)
    if len(times) > 1:
        small, large = min(times), max(times)
        print(f"t({large})/t({small}) = {times[large] / times[small]:.1f} (linear: {large / small:.0f})")
        bench(f"{what} t({large:,}) / t({small:,})", times[large] / times[small], baseline=large / small,
              against="linear scaling")


if __name__ == "__main__":
    main()
