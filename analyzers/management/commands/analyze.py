"""`manage.py analyze --org SLUG [--as-of YYYY-MM-DD]`: one analysis, now, with a summary."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from aiom.models import Organization
from analyzers.models import AnalysisStatus
from analyzers.presentation import analysis_text
from analyzers.services import AnalysisAlreadyRunning, run_analysis


class Command(BaseCommand):
    help = "Analyse one organisation's Odoo now, propose actions and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--as-of", type=date.fromisoformat, help="measure against this day (default: today)")

    def handle(self, *args, org, as_of, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {org!r}.")
        try:
            analysis = run_analysis(organization, as_of=as_of, progress=lambda m: self.stderr.write(f"… {m}"))
        except AnalysisAlreadyRunning as busy:
            raise CommandError(busy.message) from None
        self.stdout.write(analysis_text(analysis))
        if analysis.status == AnalysisStatus.FAILED:
            raise CommandError("The analysis failed.")
