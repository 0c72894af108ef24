"""Writes around an organisation's Odoo connection."""

from django.db import transaction
from django.utils import timezone

from aiom.models import Organization

from ..models import OdooConnection
from .client import OdooClient
from .errors import OdooError


def connection_check(*, connection: OdooConnection) -> dict:
    """Try the connection (version, then login) and record what Odoo said on the row."""
    try:
        config = connection.config()
    except OdooError as error:
        health = {"ok": False, "error": error.message, "permanent": True}
    else:
        with OdooClient(config, retries=0) as client:
            health = client.health()
    OdooConnection.objects.filter(pk=connection.pk).update(
        last_checked_at=timezone.now(),
        server_version=health.get("server_version", ""),
        last_error="" if health["ok"] else health["error"],
    )
    return health


@transaction.atomic
def connection_ensure(*, organization: Organization, url: str, database: str, username: str, secret: str,
                      protocol: str) -> OdooConnection:
    """Create or update the organisation's connection to these values (idempotent)."""
    connection, _ = OdooConnection.objects.update_or_create(
        organization=organization,
        defaults={"url": url, "database": database, "username": username, "secret": secret, "protocol": protocol},
    )
    return connection
