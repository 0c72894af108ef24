"""Each organisation's Odoo: where it is and how AIOM logs in."""

from django.db import models

from aiom.crypto import EncryptedTextField
from aiom.models import Organization

from .odoo.config import OdooConfig
from .odoo.errors import OdooLoginRefused


class OdooProtocol(models.TextChoices):
    XMLRPC = "xmlrpc", "XML-RPC (password or API key)"
    JSON2 = "json2", "JSON-2 (Odoo 19+; API key)"


class OdooConnection(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="odoo_connection")
    url = models.URLField()
    database = models.CharField(max_length=128)
    username = models.CharField(max_length=255, help_text="The Odoo login (a dedicated bot user is best).")
    protocol = models.CharField(max_length=8, choices=OdooProtocol.choices, default=OdooProtocol.XMLRPC)
    # Odoo needs the secret itself, so it cannot be hashed: encrypted at rest, never displayed back.
    secret = EncryptedTextField(help_text="Password or API key.")
    timeout = models.FloatField(default=30.0, help_text="Seconds to wait for each Odoo call.")
    server_version = models.CharField(max_length=32, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.url} ({self.database})"

    def __repr__(self) -> str:
        return f"<OdooConnection {self.pk}: {self}>"

    def config(self) -> OdooConfig:
        if self.secret is None:
            raise OdooLoginRefused("The stored Odoo password or API key cannot be decrypted with this deployment's "
                                   "keys (AIOM_ENCRYPTION_KEYS or SECRET_KEY changed): enter it again in the admin.")
        return OdooConfig(url=self.url, db=self.database, username=self.username, secret=self.secret,
                          protocol=self.protocol, timeout=self.timeout)

from .outbox import OutboxMessage  # noqa: E402,F401
