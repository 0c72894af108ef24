"""The Claude client alone, through the real anthropic SDK on an httpx2 mock transport: what it
sends for a forced tool call, what answer it accepts, and how every other outcome becomes an
LlmError that says why, whether a later try could help, and what the answer cost."""

import httpx2
import pytest

from integrations.errors import ExternalError
from integrations.llm import LlmError, ToolAnswer, anthropic_client, call_tool

from .claude_api import MODEL, FakeAnthropicApi, api_error, message, the_one_request, tool_use

TOOL = {
    "name": "submit_answer",
    "description": "Submit the answer. Call exactly once.",
    "input_schema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
}
ANSWER = {"answer": "Invoice INV/2025/0042 is 12 days overdue."}


pytestmark = pytest.mark.usefixtures("claude_settings")


def call(api, **overrides) -> ToolAnswer:
    arguments = {"system": "You answer questions about invoices.", "user": "Is INV/2025/0042 overdue?",
                 "tool": TOOL, "max_tokens": 2048}
    return call_tool(api.client(), **(arguments | overrides))


def failure(api, **overrides) -> LlmError:
    with pytest.raises(LlmError) as caught:
        call(api, **overrides)
    return caught.value


def test_the_tool_input_comes_back_with_its_usage_and_latency():
    api = FakeAnthropicApi(message(tool_use(ANSWER, TOOL["name"])))

    answer = call(api)

    assert answer.input == ANSWER
    assert (answer.input_tokens, answer.output_tokens) == (1432, 187)
    assert answer.latency_ms > 0
    the_one_request(api)


def test_request_forces_the_one_tool_with_the_system_prompt_and_user_message():
    api = FakeAnthropicApi(message(tool_use(ANSWER, TOOL["name"])))

    call(api, max_tokens=512)

    sent = api.sent()
    assert sent["model"] == MODEL
    assert sent["max_tokens"] == 512
    assert sent["tool_choice"] == {"type": "tool", "name": "submit_answer"}
    assert sent["tools"] == [TOOL]
    assert sent["system"] == "You answer questions about invoices."
    assert sent["messages"] == [{"role": "user", "content": "Is INV/2025/0042 overdue?"}]


def test_an_llm_error_is_an_external_error():
    api = FakeAnthropicApi(api_error(400, "invalid_request_error", "model: not found"))

    assert isinstance(failure(api), ExternalError)


@pytest.mark.parametrize(("content", "stop_reason", "reason", "permanent"), [
    ([{"type": "text", "text": "Sure! Here is a friendlier reminder: Dear Acme Corp, ..."}], "end_turn",
     "answered in text instead of calling submit_answer", False),
    ([tool_use(ANSWER, "send_email")], "tool_use", "called send_email instead of submit_answer", False),
    ([tool_use(ANSWER, "submit_answer"), tool_use(ANSWER, "submit_answer")], "tool_use",
     "instead of submit_answer once", False),
    ([tool_use("{\"answer\": \"Invoice", "submit_answer")], "tool_use", "was str, not a JSON object", False),
    ([], "refusal", "declined", True),
    ([tool_use({"answer": "Invoice"}, "submit_answer")], "max_tokens", "cut off at 2048 tokens", True),
], ids=["text-answer", "wrong-tool", "two-calls", "input-not-an-object", "refusal", "truncated"])
def test_tool_misuse_is_refused_and_its_tokens_still_counted(content, stop_reason, reason, permanent):
    api = FakeAnthropicApi(message(*content, stop_reason=stop_reason))

    error = failure(api)

    assert reason in error.message
    assert error.permanent is permanent
    assert (error.input_tokens, error.output_tokens) == (1432, 187)


def test_timeout_is_reported_after_the_sdk_retries(settings):
    settings.ANTHROPIC_MAX_RETRIES = 1  # one retry keeps the SDK's backoff under a second
    api = FakeAnthropicApi(httpx2.ReadTimeout("The read operation timed out"))

    error = failure(api)

    assert "did not answer within 5 s (timeout) after 1 retry" in error.message
    assert error.transient
    assert len(api.requests) == 2
    assert (error.input_tokens, error.output_tokens) == (0, 0)


def test_unreachable_api_is_reported_without_retries_that_did_not_happen(settings):
    settings.ANTHROPIC_MAX_RETRIES = 0
    api = FakeAnthropicApi(httpx2.ConnectError("[Errno 111] Connection refused"))

    error = failure(api)

    assert error.message == "Claude could not be reached"
    assert error.transient
    assert len(api.requests) == 1


def test_rate_limit_then_success_returns_the_retried_answer():
    api = FakeAnthropicApi(api_error(429, "rate_limit_error", "Number of requests has exceeded your rate limit"),
                           message(tool_use(ANSWER, TOOL["name"])))

    answer = call(api)

    assert answer.input == ANSWER
    assert len(api.requests) == 2
    assert api.requests[1].headers["x-stainless-retry-count"] == "1"
    assert api.sent(0) == api.sent(1)


@pytest.mark.parametrize("headers", [{"retry-after": "600"}, {"retry-after-ms": "600000"}])
def test_rate_limit_asking_for_a_long_wait_is_reported_at_once(headers):
    api = FakeAnthropicApi(httpx2.Response(429, headers=headers, json={
        "type": "error", "error": {"type": "rate_limit_error", "message": "Rate limit exceeded"},
    }))

    error = failure(api)

    assert error.message == "Claude answered HTTP 429 (rate limited)"  # no retry happened, none is claimed
    assert error.transient
    assert len(api.requests) == 1  # no retry, so no wait before one: the SDK only sleeps to try again


@pytest.mark.parametrize(("status", "error_type", "reason"), [
    (529, "overloaded_error", "HTTP 529 (overloaded) after 2 retries"),
    (500, "api_error", "HTTP 500 (error) after 2 retries"),
])
def test_overloaded_or_failing_api_is_reported_after_the_sdk_retries(status, error_type, reason):
    api = FakeAnthropicApi(api_error(status, error_type, "Overloaded"))

    error = failure(api)

    assert reason in error.message
    assert error.transient
    assert len(api.requests) == 3


def test_refused_request_is_not_retried_and_is_permanent():
    api = FakeAnthropicApi(api_error(400, "invalid_request_error", "model: not found"))

    error = failure(api)

    assert error.message == "Claude answered HTTP 400 (error)"
    assert error.permanent
    assert len(api.requests) == 1


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html>Bad gateway</html>", "not valid JSON"),
    (b'{"content": "Dear Acme Corp", "usage": null}', "did not have the Messages API's shape"),
    (b'["not", "a", "message"]', "did not have the Messages API's shape"),
], ids=["not-json", "content-not-a-list", "not-an-object"])
def test_garbled_answer_is_refused(body, reason):
    api = FakeAnthropicApi(httpx2.Response(200, content=body, headers={"content-type": "application/json"}))

    assert reason in failure(api).message


def test_without_an_api_key_there_is_no_client(settings):
    settings.ANTHROPIC_API_KEY = ""
    api = FakeAnthropicApi(message(tool_use(ANSWER, TOOL["name"])))

    assert anthropic_client(http_client=httpx2.Client(transport=httpx2.MockTransport(api))) is None
    assert api.requests == []
