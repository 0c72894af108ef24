"""Create or replace an organisation's SMTP2GO webhook secret and print it, once, with what to
enter in SMTP2GO. AIOM keeps it encrypted and shows it nowhere else; running the command again
replaces it (the old one stops working at once, so update SMTP2GO the same minute)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from aiom.models import Organization
from followups import smtp2go


class Command(BaseCommand):
    help = "Create or replace the secret of an organisation's SMTP2GO delivery webhook and print it once."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the organisation's short name (as in its URLs)")

    def handle(self, *args, slug: str, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        secret = smtp2go.new_secret(organization)
        url = settings.APP_URL.rstrip("/") + reverse("smtp2go-webhook", args=[organization.slug])
        self.stdout.write(
            f"Webhook secret for {organization.name} (shown only now; run this again to replace it):\n\n"
            f"  {secret}\n\n"
            "In SMTP2GO, Settings → Webhooks → Add Webhook:\n"
            f"  URL:                  {url}\n"
            "  Authorization header: Basic, user name aiom, password: the secret above\n"
            "  Output type:          JSON\n"
            "  Email events:         Bounce, Spam, Unsubscribe\n"
            "  Email headers:        X-AIOM-Action (optional: ties each event to its action)\n")
