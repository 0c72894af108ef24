"""Outbound email: Django email backends for SMTP2GO's HTTP API and the demo outbox, and
`send_email`, which sends one message and says whether a failure is worth retrying.

Which backend sends is a setting (`EMAIL_BACKEND`): SMTP2GO's API when `SMTP2GO_API_KEY` is
set, else Django's SMTP backend on `EMAIL_URL` (SMTP2GO's SMTP relay in production), or
`OutboxBackend` in the demo. Whether to send at all is decided before this module is called
(guardrails, outbound ledger); a message reaches here only once it was recorded.
"""

import base64
import logging
import re
import smtplib
import unicodedata
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.template import Context
from django.template.loader import get_template, render_to_string

from .delivery import DeliveryError, EmailReceipt, post_json, redact
from .outbox import Channel, OutboxMessage

logger = logging.getLogger(__name__)

# `<local@domain>`: the caller builds it from the action id so a resend is recognisable.
_MESSAGE_ID = re.compile(r"<[A-Za-z0-9][A-Za-z0-9._+-]{0,200}@[A-Za-z0-9][A-Za-z0-9.-]{0,100}>")
# RFC 5322 field name: printable ASCII except the colon.
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}")
# Set by send_email's own arguments; as free-form headers they would bypass its checks.
_RESERVED_HEADERS = {"from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "sender"}


def send_email(
    *,
    to,
    cc=(),
    subject: str,
    text_body: str,
    html_body: str | None = None,
    message_id: str,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    connection: BaseEmailBackend | None = None,
    organization_id: int | None = None,
    attachments=(),
) -> EmailReceipt:
    """Send one email through `connection` (default: the configured backend).

    Everything that could smuggle a header or a recipient is checked before any network
    access. Raises DeliveryError; `permanent` tells the caller not to retry. `organization_id`
    never leaves the machine: only the demo outbox keeps it, to show each organisation its own.
    `attachments` are (file name, bytes, mimetype); a name is one line without a folder.
    """
    to, cc = list(to), list(cc)
    reply_to_list = [reply_to] if reply_to else []
    headers = dict(headers or {})
    _check_message_id(message_id)
    _check_header("Subject", subject)
    for name, value in headers.items():
        _check_header(name, value)
        if name.lower() in _RESERVED_HEADERS:
            raise DeliveryError(f"header {name!r} cannot be set as a custom header", permanent=True)
    if not to:
        raise DeliveryError("an email needs at least one recipient", permanent=True)
    for address in [*to, *cc, *reply_to_list]:
        _check_address(address)
    attachments = list(attachments)
    for filename, _content, mimetype in attachments:
        _check_file_name(filename)
        _check_header("Content-Type", mimetype)

    connection = connection or get_connection()
    if connection.fail_silently:
        raise ValueError("send_email needs a backend that reports failures (fail_silently=False)")
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        to=to,
        cc=cc,
        reply_to=reply_to_list,
        headers={**headers, "Message-ID": message_id},
        connection=connection,
    )
    _check_address(message.from_email)
    message.organization_id = organization_id
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    backend = f"{type(connection).__module__}.{type(connection).__qualname__}"
    try:
        _send_classified(message)
    except DeliveryError as exc:
        kind = "permanent" if exc.permanent else "transient"
        logger.warning("email %s not sent through %s (%s): %s", message_id, backend, kind, exc.message)
        raise
    receipt = EmailReceipt(message_id=message_id, provider_id=getattr(message, "provider_id", ""), backend=backend)
    logger.info("email %s handed to %s (provider id %r)", message_id, backend, receipt.provider_id)
    return receipt


def _send_classified(message: EmailMessage) -> None:
    try:
        message.send()
    except BadHeaderError as exc:  # Django's own check, behind ours
        raise DeliveryError(str(exc), permanent=True) from exc
    except OSError as exc:  # smtplib errors, refused or reset connections, timeouts
        raise _smtp_failure(exc) from exc


def _smtp_failure(exc: OSError) -> DeliveryError:
    """Classify an SMTP failure as pretix does: 4xx and network trouble may pass, 5xx will not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = exc.recipients.items()
        detail = "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in refusals)
        permanent = all(code >= 500 for _, (code, _) in refusals)
        return DeliveryError(f"SMTP server refused the recipients ({detail})", permanent=permanent)
    if isinstance(exc, smtplib.SMTPConnectError):
        return DeliveryError(f"SMTP server refused the connection: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryError(f"SMTP server answered {exc.smtp_code} {_text(exc.smtp_error)}", permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"SMTP connection lost ({exc})", permanent=False, maybe_done=True)
    if isinstance(exc, smtplib.SMTPException):
        # Client and server disagree on TLS or authentication: a retry meets the same server.
        return DeliveryError(f"SMTP session failed: {exc}", permanent=True)
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"SMTP server stopped answering: {exc}", permanent=False, maybe_done=True)
    return DeliveryError(f"SMTP server unreachable: {type(exc).__name__}: {exc}", permanent=False)


def render_email(template_base: str, context: dict) -> tuple[str, str, str]:
    """Render `<template_base>/subject.txt`, `body.txt` and `body.html` (e.g.
    `emails/invoice_reminder`). Only the HTML is escaped; the subject is one line."""
    subject = " ".join(_render_plain(f"{template_base}/subject.txt", context).split())
    text = re.sub(r"\n{3,}", "\n\n", _render_plain(f"{template_base}/body.txt", context)).strip() + "\n"
    html = render_to_string(f"{template_base}/body.html", context)
    return subject, text, html


class Smtp2goApiBackend(BaseEmailBackend):
    """Sends through SMTP2GO's `email/send` HTTP API, one request per message.

    The provider's `email_id` is stored on the message as `provider_id`. Failures raise
    DeliveryError unless `fail_silently`.
    """

    def __init__(self, fail_silently=False, *, api_key=None, api_url=None, timeout=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key if api_key is not None else settings.SMTP2GO_API_KEY
        base_url = api_url or settings.SMTP2GO_API_URL
        self.send_url = base_url.rstrip("/") + "/email/send"
        self.timeout = timeout if timeout is not None else settings.EMAIL_TIMEOUT

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            try:
                message.provider_id = self._send(message)
            except DeliveryError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _send(self, message: EmailMessage) -> str:
        if not self.api_key:
            raise DeliveryError("SMTP2GO is not configured: SMTP2GO_API_KEY is empty", permanent=True)
        try:
            message.message()  # Django's own header checks, as its SMTP backend applies them
        except BadHeaderError as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        text, html = _bodies(message)
        payload = {
            "sender": message.extra_headers.get("From", message.from_email),
            "to": message.to,
            "cc": message.cc,
            "bcc": message.bcc,
            "subject": message.subject,
            "text_body": text,
            "html_body": html,
            "custom_headers": [{"header": name, "value": value} for name, value in _custom_headers(message).items()],
            "attachments": _api_attachments(message),
        }
        response = post_json(
            service="SMTP2GO",
            url=self.send_url,
            payload={key: value for key, value in payload.items() if value},
            headers={"X-Smtp2go-Api-Key": self.api_key, "Accept": "application/json"},
            timeout=self.timeout,
            secret=self.api_key,
        )
        try:
            data = response.json()["data"]
        except (ValueError, KeyError, TypeError):
            # 2xx means SMTP2GO took the message; an unreadable answer must not cause a resend.
            logger.warning("SMTP2GO accepted a message but its answer was unreadable: %s", redact(response.text, self.api_key))
            return ""
        if data.get("failed"):
            detail = redact("; ".join(map(str, data.get("failures") or [])), self.api_key)
            raise DeliveryError(f"SMTP2GO refused the message: {detail}", permanent=True)
        return str(data.get("email_id", ""))


class OutboxBackend(BaseEmailBackend):
    """Stores messages as OutboxMessage rows instead of sending them: the demo's "sent" folder."""

    def send_messages(self, email_messages):
        for message in email_messages:
            message.message()  # the same header checks as a real backend
            text, html = _bodies(message)
            row = OutboxMessage.objects.create(
                organization_id=getattr(message, "organization_id", None),
                channel=Channel.EMAIL,
                sender=message.extra_headers.get("From", message.from_email),
                recipients=message.to,
                cc=message.cc,
                subject=message.subject,
                body=text,
                html=html,
                headers=_custom_headers(message),
                message_id=message.extra_headers.get("Message-ID", ""),
            )
            message.provider_id = f"outbox-{row.pk}"
        return len(email_messages)


def _bodies(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a Django message, either possibly empty."""
    if message.content_subtype == "html":
        return "", message.body
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    return message.body, html


def _api_attachments(message: EmailMessage) -> list[dict]:
    """Attached files as SMTP2GO's `email/send` takes them: name, base64 content, mimetype."""
    files = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):  # a ready MIME part: the API takes files only
            raise DeliveryError("the SMTP2GO API backend sends attached files only, not MIME parts", permanent=True)
        filename, content, mimetype = attachment
        content = content.encode() if isinstance(content, str) else content
        files.append({"filename": filename, "fileblob": base64.b64encode(content).decode("ascii"),
                      "mimetype": mimetype or "application/octet-stream"})
    return files


def _custom_headers(message: EmailMessage) -> dict[str, str]:
    """Headers beyond sender, recipients and subject, as the API and outbox take them."""
    headers = {name: str(value) for name, value in message.extra_headers.items() if name.lower() not in {"from", "to", "cc"}}
    if message.reply_to:
        headers["Reply-To"] = ", ".join(message.reply_to)
    return headers


def _check_message_id(message_id: str) -> None:
    if not _MESSAGE_ID.fullmatch(message_id):
        raise DeliveryError(f"Message-ID must look like <action-id@domain>, got {message_id!r}", permanent=True)


def _check_header(name: str, value: str) -> None:
    """Refuse what could end a header line: CR, LF and every other control or line separator."""
    if not _HEADER_NAME.fullmatch(name):
        raise DeliveryError(f"invalid header name {name!r}", permanent=True)
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in str(value)):
        raise DeliveryError(f"{name} must be a single line without control characters", permanent=True)


def _check_file_name(filename: str) -> None:
    """A file name is shown and saved by the recipient's mail client: one line, no folder."""
    _check_header("Content-Disposition", filename)
    if not filename or "/" in filename or "\\" in filename:
        raise DeliveryError(f"attachment name {filename!r} must be a file name without a folder", permanent=True)


def _check_address(address: str) -> None:
    _check_header("Address", address)
    parsed = getaddresses([address])
    try:
        if len(parsed) != 1:
            raise ValidationError("not a single address")
        validate_email(parsed[0][1])
    except ValidationError:
        raise DeliveryError(f"invalid email address {address!r}", permanent=True) from None


def _render_plain(template_name: str, context: dict) -> str:
    """Render without HTML escaping: "Smith & Sons" stays so in a subject or a text body."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)

