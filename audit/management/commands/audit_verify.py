"""Recompute each organisation's audit chain; exit 1 and name the first broken event."""

from django.core.management.base import BaseCommand, CommandError

from aiom.models import Organization
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (all organisations, or --org SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Organisation slug")

    def handle(self, *args, org=None, **options):
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organisation with slug {org!r}.")
        broken = 0
        for organization in organizations:
            report = verify_chain(organization)
            if report.ok:
                self.stdout.write(self.style.SUCCESS(str(report)))
            else:
                broken += 1
                self.stderr.write(self.style.ERROR(str(report)))
        if broken:
            raise SystemExit(1)
