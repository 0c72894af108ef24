"""How fast AIOM reads invoices from Odoo, per transport, the way the financial analyzer does.

    .venv/bin/python benchmarks/odoo_read.py [--size 100000] [--protocol xmlrpc|json2|both]
    .venv/bin/python benchmarks/odoo_read.py --url https://odoo.example.com --db main --login bot --secret KEY

Without ``--url`` it starts the sandbox in this process with ``--size`` customer invoices;
with ``--url`` (and ``--db``, ``--login``, ``--secret``) it reads that Odoo instead, read-only.
Prints records per second and the number of RPC calls for each transport, and JSON-2's rate
as a ratio of XML-RPC's.
"""

import argparse
import time

from report import bench

INVOICE_DOMAIN = [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted")]
INVOICE_FIELDS = ["name", "move_type", "state", "payment_state", "partner_id", "invoice_date", "invoice_date_due",
                  "amount_total", "amount_residual", "currency_id", "invoice_user_id"]


def read_invoices(config, page_size: int) -> tuple[int, int, float]:
    from integrations.odoo.client import OdooClient

    with OdooClient(config) as client:
        started = time.perf_counter()
        count = sum(1 for _ in client.iter_search_read("account.move", INVOICE_DOMAIN, INVOICE_FIELDS,
                                                       page_size=page_size))
        return count, client.calls, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="invoices in the in-process sandbox; default 100000")
    parser.add_argument("--protocol", choices=["xmlrpc", "json2", "both"], default="both",
                        help="the transport(s) to time; default both")
    parser.add_argument("--page-size", type=int, default=500, help="records per read; default 500")
    parser.add_argument("--url", help="an Odoo to read instead of the sandbox")
    parser.add_argument("--db", help="that Odoo's database")
    parser.add_argument("--login", help="that Odoo's user")
    parser.add_argument("--secret", help="password or API key")
    args = parser.parse_args()
    if args.url and not (args.db and args.login and args.secret):
        parser.error("--url needs --db, --login and --secret")
    from integrations.odoo.config import OdooConfig

    sandbox = None
    if args.url:
        url, db, login, secret = args.url, args.db, args.login, args.secret
    else:
        from integrations.odoo.sandbox.server import start_in_thread

        started = time.perf_counter()
        sandbox = start_in_thread(seed="demo", size=args.size)
        print(f"sandbox with {args.size} invoices ready in {time.perf_counter() - started:.1f}s at {sandbox.url}")
        url, db, login, secret = sandbox.url, sandbox.db, sandbox.login, sandbox.api_key
    rates = {}
    try:
        for protocol in ["xmlrpc", "json2"] if args.protocol == "both" else [args.protocol]:
            config = OdooConfig(url=url, db=db, username=login, secret=secret, protocol=protocol, timeout=120)
            count, calls, seconds = read_invoices(config, args.page_size)
            rates[protocol] = count / seconds
            print(f"{protocol:<7} {count:>8} invoices in {seconds:6.2f}s = {count / seconds:>9,.0f} records/s, "
                  f"{calls} RPC calls")
            label = {"xmlrpc": "XML-RPC", "json2": "JSON-2"}[protocol]
            if protocol == "json2" and "xmlrpc" in rates:
                bench(f"{count:,} invoices read over {label} ({calls} calls)", rates[protocol], unit="records/s",
                      baseline=rates["xmlrpc"], against="XML-RPC")
            else:
                bench(f"{count:,} invoices read over {label} ({calls} calls)", rates[protocol], unit="records/s")
    finally:
        if sandbox is not None:
            sandbox.stop()


if __name__ == "__main__":
    main()
