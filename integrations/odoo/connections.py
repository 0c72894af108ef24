"""Which Odoo an organisation talks to, and the clients that talk to it.

An organisation's own connection (Admin → Integrations → Odoo connections) wins; without one
the deployment-wide ODOO_* settings apply. Retries and backoff come from the settings either way.
"""

import threading

from django.conf import settings

from ..models import OdooConnection
from .client import OdooClient
from .config import OdooConfig


def config_for(organization) -> OdooConfig:
    """The organisation's own connection if it has one, else the deployment-wide settings."""
    connection = OdooConnection.objects.filter(organization=organization).first()
    if connection is None:
        return OdooConfig.from_settings()
    return connection.config()


def client_for(organization) -> OdooClient:
    """A new client for the organisation's Odoo (the caller closes it)."""
    return _client(config_for(organization))


_CLIENTS = threading.local()
_MAX_CLIENTS = 32


def shared_client_for(organization) -> OdooClient:
    """A logged-in client kept per process and thread for the same connection settings, so a
    worker executing many actions logs in once and reuses its HTTP connections. Changed
    settings make a new client; a revoked session is renewed by the client itself. Nobody
    closes a shared client: it lives as long as its thread, and at most `_MAX_CLIENTS` are
    kept (when full, all are closed and the cache starts again)."""
    config = config_for(organization)
    clients = _CLIENTS.__dict__.setdefault("by_config", {})
    client = clients.get(config)
    if client is None:
        if len(clients) >= _MAX_CLIENTS:
            for stale in clients.values():
                stale.close()
            clients.clear()
        client = clients[config] = _client(config)
    return client


def _client(config: OdooConfig) -> OdooClient:
    return OdooClient(config, retries=settings.ODOO_RETRIES, backoff=settings.ODOO_RETRY_BACKOFF)
