"""Helpers for the API tests: every answer a test reads is also checked against what
/api/schema/ says that endpoint answers with that status, so the schema cannot drift."""

import json
import re

import jsonschema
from django.urls import reverse

#: The dashboard's links to one action, as the approval queue and history render them.
ACTION_LINK = re.compile(r"/dashboard/actions/([0-9a-f-]{36})/")


_SCHEMA: dict = {}


def _schema(client) -> dict:
    """Read once per test process (it only changes with the code)."""
    if not _SCHEMA:
        _SCHEMA.update(json.loads(client.get(reverse("api-schema"), {"format": "json"}).content))
    return _SCHEMA


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def conforms(client, response, path: str, method: str = "get"):
    """`response` (its status and its JSON body) matches the schema of `path` (as the schema
    spells it, e.g. "/api/actions/{id}/edit/"); returns the body. `client` is signed in."""
    schema = _schema(client)
    operation = schema["paths"][path][method]
    assert str(response.status_code) in operation["responses"], (
        f"{method.upper()} {path} answered {response.status_code}, which the schema does not declare")
    body = response.json()
    expected = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    document = _json_schema({**expected, "components": schema["components"]})
    jsonschema.validate(body, document)
    return body


def dashboard_ids(page: str) -> set[str]:
    return set(ACTION_LINK.findall(page))
