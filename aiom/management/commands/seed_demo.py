"""Create the demo organisation and its people (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aiom.models import Role
from aiom.services import member_ensure, organization_ensure
from integrations.odoo.services import connection_ensure

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
        if odoo_url:
            # The sandbox's demo database and API key (manage.py odoo_sandbox --seed demo).
            connection_ensure(organization=organization, url=odoo_url, database="aiom-demo", username="admin",
                              secret="aiom-demo-key", protocol="xmlrpc")
            self.stdout.write(f"Its Odoo: {odoo_url} (database aiom-demo, login admin, XML-RPC).")
        self.stdout.write(self.style.SUCCESS(f"Demo organisation '{organization.slug}' is ready."))
        self.stdout.write("Log in at http://127.0.0.1:8000/ with:")
        for username, password, role, _ in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<9} {username} / {password}")
