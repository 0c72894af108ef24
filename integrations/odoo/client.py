"""The Odoo client AIOM's services use: typed ORM calls over either transport.

It logs in lazily, once; logs in again once if Odoo stops accepting the credentials mid-way
(password or key rotated, database restored); retries only transient failures, with
exponential backoff and jitter, and never retries a non-idempotent call (create, message_post)
that may already have run. ``calls`` counts every request sent, for tests and benchmarks.
Arguments and credentials are never logged.
"""

import logging
import random
import time
from collections.abc import Callable, Iterator

from .config import OdooConfig
from .errors import OdooAccessDenied, OdooError, OdooMissingError, OdooSchemaError, OdooTransientError
from .transports import TRANSPORTS

logger = logging.getLogger(__name__)


class OdooClient:
    def __init__(self, config: OdooConfig, *, retries: int = 3, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.transport = TRANSPORTS[config.protocol](config)
        self.retries = retries
        self.backoff = backoff  # seconds before the first retry; doubles each time, jittered down to half
        self.sleep = sleep
        self.calls = 0
        self.uid = None
        self._server_major = None

    def __repr__(self):
        return f"<OdooClient {self.config.protocol} {self.config.url} db={self.config.db} login={self.config.username}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.transport.close()

    # --- plumbing -----------------------------------------------------------------------------
    def _send(self, label: str, send: Callable, *, idempotent: bool = True):
        for attempt in range(self.retries + 1):
            self.calls += 1
            started = time.monotonic()
            try:
                result = send()
            except OdooTransientError as error:
                if attempt == self.retries or (error.maybe_done and not idempotent):
                    raise
                delay = self.backoff * 2**attempt * random.uniform(0.5, 1.0)
                logger.warning("Odoo %s failed (%s); retry %d of %d in %.2fs",
                               label, error, attempt + 1, self.retries, delay)
                self.sleep(delay)
            else:
                logger.debug("Odoo %s answered in %.0f ms", label, (time.monotonic() - started) * 1000)
                return result

    def _authenticate(self) -> int:
        self.uid = self._send("authenticate", self.transport.authenticate)
        return self.uid

    def execute(self, model: str, method: str, *args, idempotent: bool = True, **kwargs):
        """``execute_kw(model, method, args, kwargs)``; ``idempotent=False`` for calls that must not
        be repeated blindly after a timeout."""
        label = f"{model}.{method}"
        if self.uid is None:
            self._authenticate()

        def send():
            return self.transport.execute(model, method, list(args), kwargs)

        try:
            return self._send(label, send, idempotent=idempotent)
        except OdooAccessDenied:
            logger.warning("Odoo refused the credentials during %s; logging in again", label)
            self._authenticate()
            return self._send(label, send, idempotent=idempotent)

    # --- connection -----------------------------------------------------------------------------
    def version(self) -> dict:
        """``{"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""], ...}``; no login."""
        return self._send("version", self.transport.version)

    def health(self) -> dict:
        """Reachable, and do the credentials work? Never raises an OdooError."""
        try:
            version = self.version()["server_version"]
            uid = self._authenticate()
        except OdooError as error:
            return {"ok": False, "error": error.message, "permanent": error.permanent}
        return {"ok": True, "server_version": version, "uid": uid}

    # --- reads ----------------------------------------------------------------------------------
    def search(self, model: str, domain: list, *, offset: int = 0, limit: int | None = None,
               order: str | None = None, context: dict | None = None) -> list[int]:
        return self.execute(model, "search", domain, **_given(offset=offset, limit=limit, order=order, context=context))

    def search_count(self, model: str, domain: list, *, context: dict | None = None) -> int:
        return self.execute(model, "search_count", domain, **_given(context=context))

    def read(self, model: str, ids: list[int], fields: list[str], *, context: dict | None = None) -> list[dict]:
        """Raises OdooMissingError if any id is missing: some Odoo versions silently skip them."""
        records = self.execute(model, "read", list(ids), fields, **_given(context=context))
        if missing := set(ids) - {record["id"] for record in records}:
            raise OdooMissingError(f"Record does not exist or has been deleted: {model} {sorted(missing)}.")
        return records

    def search_read(self, model: str, domain: list, fields: list[str], *, offset: int = 0,
                    limit: int | None = None, order: str | None = None, context: dict | None = None) -> list[dict]:
        return self.execute(model, "search_read", domain,
                            **_given(fields=fields, offset=offset, limit=limit, order=order, context=context))

    def iter_search_read(self, model: str, domain: list, fields: list[str], *, page_size: int = 500,
                         order: str = "id asc", context: dict | None = None) -> Iterator[dict]:
        """All matching records, page by page in a stable order. Each page asks for one record
        more than it yields, so the last page is recognised without an extra empty call.

        In the default ``id asc`` order pages continue after the last id seen (keyset paging):
        every page costs the same however deep it is, where an offset makes Odoo's database
        skip all earlier rows again. Other orders page by offset.
        """
        keyset = order.strip().lower() == "id asc"
        offset, last_id = 0, None
        while True:
            page_domain = [("id", ">", last_id), *domain] if keyset and last_id is not None else domain
            page = self.search_read(model, page_domain, fields, offset=0 if keyset else offset,
                                    limit=page_size + 1, order=order, context=context)
            yield from page[:page_size]
            if len(page) <= page_size:
                return
            offset += page_size
            last_id = page[page_size - 1]["id"]

    def read_group(self, model: str, domain: list, fields: list[str], groupby: list[str], *,
                   orderby: str | None = None, lazy: bool = True, context: dict | None = None) -> list[dict]:
        return self.execute(model, "read_group", domain, fields, groupby,
                            **_given(orderby=orderby, lazy=lazy, context=context))

    def xmlid_to_res_id(self, xmlid: str) -> int:
        """The database id behind an external id such as ``mail.mail_activity_data_call``."""
        module, _, name = xmlid.partition(".")
        rows = self.search_read("ir.model.data", [("module", "=", module), ("name", "=", name)], ["res_id"], limit=1)
        if not rows:
            raise OdooMissingError(f"No record has the external id {xmlid} (is its module installed?).")
        return rows[0]["res_id"]

    def model_id(self, model_name: str) -> int:
        """The ``ir.model`` id of a model, e.g. for ``mail.activity.res_model_id``."""
        ids = self.search("ir.model", [("model", "=", model_name)], limit=1)
        if not ids:
            raise OdooSchemaError(f"Model {model_name} does not exist on this Odoo (is its module installed?).")
        return ids[0]

    # --- writes ---------------------------------------------------------------------------------
    def create(self, model: str, vals: dict, *, context: dict | None = None) -> int:
        return self.execute(model, "create", vals, idempotent=False, **_given(context=context))

    def write(self, model: str, ids: list[int], vals: dict, *, context: dict | None = None) -> bool:
        """Safe to retry as long as ``vals`` are absolute values (never increments)."""
        return self.execute(model, "write", list(ids), vals, **_given(context=context))

    def message_post(self, model: str, record_id: int, body: str, *, subtype_xmlid: str = "mail.mt_note",
                     message_type: str = "comment", html: bool = False) -> int:
        """A note (or message) in the record's chatter; returns the mail.message id.

        ``html``: ``body`` is HTML the caller built safely. Odoo 16 keeps a string body as
        (sanitised) HTML; 17+ escapes it unless ``body_is_html`` is given, a parameter 16 refuses
        ("Those values are not supported when posting or notifying")."""
        extra = {"body_is_html": True} if html and self.server_major() >= 17 else {}
        result = self.execute(model, "message_post", [record_id], idempotent=False,
                              body=body, message_type=message_type, subtype_xmlid=subtype_xmlid, **extra)
        return result[0] if isinstance(result, list) else result  # JSON-2 answers records as a list of ids

    def server_major(self) -> int:
        """17 for "17.0" and "saas~17.2"; asked once per client."""
        if self._server_major is None:
            first = str(self.version()["server_version_info"][0])
            digits = "".join(char for char in first if char.isdigit())
            self._server_major = int(digits) if digits else 0
        return self._server_major


def _given(**kwargs) -> dict:
    """Keyword arguments that were set; for the others Odoo's own defaults apply."""
    return {name: value for name, value in kwargs.items() if value is not None}
