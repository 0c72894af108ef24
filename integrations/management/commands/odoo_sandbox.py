"""``manage.py odoo_sandbox``: serve the fake Odoo on a port until interrupted."""

from django.core.management.base import BaseCommand, CommandError

from integrations.odoo.sandbox.server import start_in_thread
from integrations.odoo.sandbox.services import Credentials


class Command(BaseCommand):
    help = "Serve a sandbox imitating Odoo 17's external API (XML-RPC, JSON-RPC, JSON-2) with demo data."

    def add_arguments(self, parser):
        defaults = Credentials()
        parser.add_argument("--port", type=int, default=8069)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--seed", choices=["demo", "empty"], default="demo")
        parser.add_argument("--size", type=int, default=None, help="number of customer invoices in the demo data")
        parser.add_argument("--state", default=None, help="JSON file keeping the data between runs (loaded when it exists)")
        parser.add_argument("--db", default=defaults.db)
        parser.add_argument("--login", default=defaults.login)
        parser.add_argument("--password", default=defaults.password)
        parser.add_argument("--api-key", default=defaults.api_key)
        parser.add_argument("--verbose-requests", action="store_true", help="log every HTTP request")
        parser.add_argument("--latency-ms", type=float, default=0.0,
                            help="delay every RPC answer, like the round trip to a hosted Odoo")

    def handle(self, *args, **options):
        credentials = Credentials(db=options["db"], login=options["login"], password=options["password"], api_key=options["api_key"])
        try:
            handle = start_in_thread(
                seed=options["seed"],
                size=options["size"],
                host=options["host"],
                port=options["port"],
                credentials=credentials,
                state_file=options["state"],
                verbose=options["verbose_requests"],
                latency=options["latency_ms"] / 1000,
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Odoo sandbox listening on {handle.url}\n"
            f"  database: {handle.db}\n"
            f"  login:    {handle.login}\n"
            f"  password: {handle.password}\n"
            f"  API key:  {handle.api_key}  (a demo key: never use it for a real Odoo)\n"
            "Press Ctrl-C to stop."
        )
        try:
            handle.thread.join()
        except KeyboardInterrupt:
            self.stdout.write("Stopping the Odoo sandbox.")
        finally:
            handle.stop()
