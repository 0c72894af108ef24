"""Where and as whom AIOM talks to Odoo. Which configuration an organisation uses is decided in
`connections`: its own connection, else the settings."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from .errors import OdooError

PROTOCOLS = ("xmlrpc", "json2")


@dataclass(frozen=True)
class OdooConfig:
    url: str
    db: str
    username: str
    secret: str = field(repr=False)  # password or API key (JSON-2 accepts only an API key)
    protocol: str = "xmlrpc"
    timeout: float = 30.0

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OdooError(f"Odoo URL {self.url!r} is not an http(s) address; set ODOO_URL or the organisation's "
                            "Odoo connection.")
        if parts.username or parts.password:
            raise OdooError("Put the Odoo login and secret in their own fields, not in the URL.")
        if self.protocol not in PROTOCOLS:
            raise OdooError(f"Unknown Odoo protocol {self.protocol!r}; use one of {', '.join(PROTOCOLS)}.")
        if not self.db or not self.secret or (self.protocol == "xmlrpc" and not self.username):
            raise OdooError("The Odoo connection needs a database, a login and a password or API key.")
        if self.timeout <= 0:
            raise OdooError("The Odoo timeout must be a positive number of seconds.")
        object.__setattr__(self, "url", self.url.rstrip("/"))

    @classmethod
    def from_settings(cls) -> "OdooConfig":
        return cls(
            url=settings.ODOO_URL,
            db=settings.ODOO_DB,
            username=settings.ODOO_USERNAME,
            secret=settings.ODOO_API_KEY or settings.ODOO_PASSWORD,
            protocol=settings.ODOO_PROTOCOL,
            timeout=settings.ODOO_TIMEOUT,
        )
