"""A stand-in for api.anthropic.com behind the real anthropic SDK: an httpx2 mock transport
answering with the Messages API's shapes, and the answers tests script for it."""

import json

import httpx2

from integrations.llm import anthropic_client
from tests.fixtures.claude import API_KEY, MODEL


def message(*content, stop_reason="tool_use"):
    """A Messages API answer as the API sends it."""
    return httpx2.Response(200, json={
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": list(content),
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 1432, "output_tokens": 187, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "service_tier": "standard"},
    })


def tool_use(tool_input, name):
    return {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": name, "input": tool_input}


def api_error(status, error_type, text):
    return httpx2.Response(status, headers={"retry-after-ms": "1"}, json={
        "type": "error", "error": {"type": error_type, "message": text}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
    })


class FakeAnthropicApi:
    """Plays api.anthropic.com: answers in order (the last answer repeats) and keeps every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self):
        return anthropic_client(http_client=httpx2.Client(transport=httpx2.MockTransport(self)))

    def sent(self, index=-1):
        return json.loads(self.requests[index].content)


def the_one_request(api):
    """The single Messages API request the SDK made, checked to carry the configured key."""
    [request] = api.requests
    assert request.url.path == "/v1/messages"
    assert API_KEY in request.headers.get("x-api-key", "") + request.headers.get("authorization", "")
    return request
