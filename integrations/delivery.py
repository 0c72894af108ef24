"""What every outbound channel (email, SMS) reports back to the executor.

One error type says whether a retry can help, so the executor decides retries by error class
and never by parsing messages. Error messages are shown to staff and written to logs: they
name the service and its answer, never a credential.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from aiom.text import one_line

from .errors import ExternalError

# Longest part of a provider's answer quoted in an error message.
_DETAIL_CHARS = 300


class DeliveryError(ExternalError):
    """A message was not handed over. `permanent` means the same attempt would fail again
    (bad recipient, refused credentials, rejected content); otherwise a later retry may work.
    `maybe_done` means the provider may have accepted it before the answer was lost (a
    timeout or disconnect mid-session): the executor never retries such a message blindly."""

    def __init__(self, message: str, *, permanent: bool, maybe_done: bool = False):
        super().__init__(message, permanent=permanent, maybe_done=maybe_done)


@dataclass(frozen=True)
class EmailReceipt:
    message_id: str
    provider_id: str
    backend: str


@dataclass(frozen=True)
class SmsReceipt:
    provider_id: str
    status: str


def post_json(*, service: str, url: str, payload: dict, headers: dict, timeout: float, secret: str) -> requests.Response:
    """POST `payload` and return a 2xx response; anything else becomes a DeliveryError.

    This is the one place that decides which answers mean "accepted": any 2xx, 204 No Content
    included. 429, 408 and 5xx are transient (the provider asks us to come back), other 4xx are
    permanent; a 504 may have been accepted behind the gateway that gave up. `secret` is struck
    from any provider text we quote, in case it echoes it back.
    """
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.ConnectTimeout as exc:
        raise DeliveryError(f"{service} could not be reached within {timeout:g} s", permanent=False) from exc
    except requests.Timeout as exc:
        raise DeliveryError(f"{service} did not answer within {timeout:g} s", permanent=False,
                            maybe_done=True) from exc
    except requests.ConnectionError as exc:
        raise DeliveryError(f"{service} is unreachable at {_origin(url)}", permanent=False) from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"{service} request could not be made ({type(exc).__name__})", permanent=True) from exc
    if 200 <= response.status_code < 300:
        return response
    transient = response.status_code in (408, 429) or response.status_code >= 500
    raise DeliveryError(
        f"{service} answered HTTP {response.status_code}: {redact(response.text, secret)}",
        permanent=not transient, maybe_done=response.status_code == 504,
    )


def redact(text: str, secret: str) -> str:
    """One line of at most _DETAIL_CHARS characters, with `secret` blanked out."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return one_line(text, _DETAIL_CHARS)


def _origin(url: str) -> str:
    """scheme://host:port of `url`, leaving out any user:password part."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
