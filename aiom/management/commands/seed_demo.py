"""Create the demo organisation and its people (idempotent)."""

from datetime import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions import guardrails
from aiom.models import Role
from aiom.services import member_ensure, organization_ensure
from analyzers.tasks import run as run_analysis
from audit.services import SYSTEM
from followups import demo_history
from integrations.odoo.services import connection_ensure

#: The demo sends nothing outside the machine, so it may "send" at any hour: whoever tries it
#: in the evening or at the weekend still sees an approval execute at once.
DEMO_SENDING_HOURS = {"business_hours_start": time(0, 0), "business_hours_end": time(23, 59), "weekends_off": False}
#: The demo company's own payment instructions: the only payment details any reminder prints.
DEMO_PAYMENT_INSTRUCTIONS = ("Bank transfer to Demo Company, IBAN BE68 5390 0754 7034 (BIC TRIOBEBB), "
                             "quoting the invoice number.")
FIRST_ANALYSIS_DELAY = 8  # seconds: long enough for `make run` to start the sandbox and a worker

DEMO_PEOPLE = [
    # username, password, role, staff
    ("admin", "aiom-admin-demo", Role.ADMIN, True),
    ("approver", "aiom-approver-demo", Role.APPROVER, False),
    ("viewer", "aiom-viewer-demo", Role.VIEWER, False),
]


class Command(BaseCommand):
    help = "Create the demo organisation (slug 'demo') with an admin, an approver and a viewer."

    def add_arguments(self, parser):
        parser.add_argument("--odoo-url", default="", help="Odoo (or sandbox) URL the demo organisation reads.")
        parser.add_argument("--force", action="store_true",
                            help="Allow the well-known demo passwords even when DEBUG is off.")

    def handle(self, *args, odoo_url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with published passwords; run it with DEBUG=true or --force.")
        organization = organization_ensure(slug="demo", name="Demo Company", timezone="Europe/Brussels")
        for username, password, role, staff in DEMO_PEOPLE:
            member_ensure(organization=organization, username=username, password=password, role=role,
                          email=f"{username}@demo.example.com", staff=staff, superuser=staff)
        guardrails.policy_update(guardrails.policy_for(organization), actor=SYSTEM, **DEMO_SENDING_HOURS,
                                 payment_instructions=DEMO_PAYMENT_INSTRUCTIONS, follow_up_sequences=True)
        if demo_history.seed(organization):
            self.stdout.write("The follow-ups report starts with five months of example history.")
        if odoo_url:
            # The sandbox's demo database and API key (manage.py odoo_sandbox --seed demo).
            connection_ensure(organization=organization, url=odoo_url, database="aiom-demo", username="admin",
                              secret="aiom-demo-key", protocol="xmlrpc")
            self.stdout.write(f"Its Odoo: {odoo_url} (database aiom-demo, login admin, XML-RPC).")
            run_analysis.apply_async((organization.pk,), countdown=FIRST_ANALYSIS_DELAY)
            self.stdout.write(f"The first analysis runs in {FIRST_ANALYSIS_DELAY} s, once the worker is up.")
        self.stdout.write(self.style.SUCCESS(f"Demo organisation '{organization.slug}' is ready."))
        self.stdout.write("Log in at http://127.0.0.1:8000/ with:")
        for username, password, role, _ in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<9} {username} / {password}")
