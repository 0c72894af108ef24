"""The Claude client: one forced tool call through the official anthropic SDK.

It knows nothing of what the tool is for. It makes the call, checks that the answer has the
Messages API's shape and is exactly one call of the forced tool with an object as its input,
and turns every other outcome (a timeout, an overloaded API, a refusal, text instead of the
call) into one `LlmError` with a message a person can read. What the tool's input means, and
whether it may be used, is the caller's to check.

Tokens are billed even for an answer that cannot be used, so the usage travels on the error
as well as on the answer.
"""

import json
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

import anthropic
import httpx2
from django.conf import settings
from pydantic import BaseModel

from .errors import ExternalError

#: Answers the SDK has already retried; a later try may well succeed.
_TRANSIENT_STATUSES = {408, 409, 429, 529}
#: Retries the SDK took in the current call, as its requests say (x-stainless-retry-count), so a
#: failure reports the retries that happened rather than the ones allowed.
_retries_taken: ContextVar[int | None] = ContextVar("retries_taken", default=None)


@dataclass(frozen=True)
class ToolAnswer:
    """The forced tool's input, and what the call cost."""

    input: dict
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0


class LlmError(ExternalError):
    """Claude's answer cannot be used; `message` says why, for staff. Carries the call's cost."""

    def __init__(self, message: str, *, permanent: bool | None = None, input_tokens: int = 0,
                 output_tokens: int = 0, latency_ms: float = 0.0):
        super().__init__(message, permanent=permanent)
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.latency_ms = latency_ms


def anthropic_client(*, http_client: httpx2.Client | None = None) -> anthropic.Anthropic | None:
    """The client the settings describe, or None when Claude is not configured.

    The SDK retries 408, 409, 429, 5xx, 529 (overloaded) and connection errors itself, with
    short backoffs, up to ANTHROPIC_MAX_RETRIES times. Each attempt may take ANTHROPIC_TIMEOUT;
    (retries + 1) × timeout must stay below the Celery task's soft time limit. The client
    (given, or the SDK's default) gets a response hook that keeps retry waits within that budget.
    """
    if not settings.ANTHROPIC_API_KEY:
        return None
    timeout = settings.ANTHROPIC_TIMEOUT
    http_client = http_client or anthropic.DefaultHttpxClient()
    http_client.event_hooks["request"].append(_count_retries)
    http_client.event_hooks["response"].append(partial(_no_long_waits, longest=timeout))
    return anthropic.Anthropic(
        api_key=settings.ANTHROPIC_API_KEY,
        timeout=timeout,
        max_retries=settings.ANTHROPIC_MAX_RETRIES,
        http_client=http_client,
    )


def _count_retries(request: httpx2.Request) -> None:
    try:
        _retries_taken.set(int(request.headers.get("x-stainless-retry-count", "0")))
    except ValueError:
        pass


def _no_long_waits(response: httpx2.Response, *, longest: float) -> None:
    """Tell the SDK not to retry when the API asks for a longer wait than one attempt's timeout.

    The SDK sleeps as long as retry-after says, without a cap: a 429 asking for ten minutes
    would outlive the task. Giving up now is the better answer.
    """
    headers = response.headers
    for name, unit in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            wait = float(headers[name]) * unit
        except (KeyError, ValueError):
            continue
        if wait > longest:
            headers["x-should-retry"] = "false"
        return


def call_tool(client: anthropic.Anthropic, *, system: str, user: str, tool: dict, max_tokens: int) -> ToolAnswer:
    """Ask Claude (settings.ANTHROPIC_MODEL) to answer `user` by calling `tool` once; its input.

    Raises LlmError when the call fails or the answer is anything but that one call.
    """
    name = tool["name"]
    started = time.monotonic()
    _retries_taken.set(None)
    try:
        response = client.messages.create(
            model=settings.ANTHROPIC_MODEL,
            max_tokens=max_tokens,
            system=system,
            messages=[{"role": "user", "content": user}],
            tools=[tool],
            tool_choice={"type": "tool", "name": name},
        )
    except (anthropic.AnthropicError, json.JSONDecodeError) as exc:
        message, permanent = _api_failure(exc, client, _retries_taken.get())
        raise LlmError(message, permanent=permanent, latency_ms=_since(started)) from exc
    usage = getattr(response, "usage", None)
    spent = {"input_tokens": getattr(usage, "input_tokens", 0) or 0,
             "output_tokens": getattr(usage, "output_tokens", 0) or 0,
             "latency_ms": _since(started)}
    return ToolAnswer(input=_tool_input(response, name, max_tokens, spent), **spent)


def _api_failure(exc: Exception, client: anthropic.Anthropic, retries_taken: int | None) -> tuple[str, bool]:
    """What went wrong, for staff, and whether it is permanent; retries as they happened."""
    retries = f" after {retries_taken} retr{'y' if retries_taken == 1 else 'ies'}" if retries_taken else ""
    if isinstance(exc, anthropic.APITimeoutError):
        timeout = client.timeout if isinstance(client.timeout, (int, float)) else client.timeout.read
        return f"Claude did not answer within {timeout:g} s (timeout){retries}", False
    if isinstance(exc, anthropic.APIConnectionError):
        return f"Claude could not be reached{retries}", False
    if isinstance(exc, anthropic.APIStatusError):
        kind = {429: "rate limited", 529: "overloaded"}.get(exc.status_code, "error")
        permanent = exc.status_code < 500 and exc.status_code not in _TRANSIENT_STATUSES
        return f"Claude answered HTTP {exc.status_code} ({kind}){retries}", permanent
    if isinstance(exc, json.JSONDecodeError):
        return "Claude's answer was not valid JSON", False
    return f"Claude's answer could not be read ({type(exc).__name__})", True


def _tool_input(response: anthropic.types.Message, name: str, max_tokens: int, spent: dict) -> dict:
    """The one call's input; anything else raises LlmError, carrying what the answer cost."""
    def refuse(message: str, *, permanent: bool) -> LlmError:
        return LlmError(message, permanent=permanent, **spent)

    # The SDK does not validate answers strictly (so new API fields never break us): check the shape here.
    content = getattr(response, "content", None)
    if not isinstance(content, list) or not all(isinstance(block, BaseModel) for block in content):
        raise refuse("Claude's answer did not have the Messages API's shape", permanent=False)
    if response.stop_reason == "refusal":
        raise refuse("Claude declined to write this message", permanent=True)
    if response.stop_reason == "max_tokens":
        raise refuse(f"Claude's answer was cut off at {max_tokens} tokens", permanent=True)
    calls = [block for block in content if getattr(block, "type", None) == "tool_use"]
    if not calls:
        raise refuse(f"Claude answered in text instead of calling {name}", permanent=False)
    if len(calls) > 1 or calls[0].name != name:
        names = ", ".join(call.name for call in calls)
        raise refuse(f"Claude called {names} instead of {name} once", permanent=False)
    if not isinstance(calls[0].input, dict):
        raise refuse(f"Claude's draft was {type(calls[0].input).__name__}, not a JSON object", permanent=False)
    return calls[0].input


def _since(started: float) -> float:
    return (time.monotonic() - started) * 1000
