"""What every API endpoint promises beyond DRF's defaults: input problems answer 400 as
`{"detail": "...", "errors": {field: [...]}}`, and the error shapes are described in the schema
(/api/schema/): `{"detail"}` always, `errors` on a 400, the action's current state on a 409.
Other keys a service adds stay allowed."""

from rest_framework import serializers

from .errors import ApplicationError

JSON = "application/json"


def validated(serializer_class, data, *, context: dict | None = None, plain: dict | None = None) -> dict:
    """The input as the serializer cleans it, or a 400 whose detail names each problem in words."""
    serializer = serializer_class(data=data, context=context or {})
    if not serializer.is_valid():
        raise ApplicationError(in_words(serializer.errors, plain=plain), {"errors": serializer.errors})
    return serializer.validated_data


def in_words(errors: dict, *, plain: dict | None = None) -> str:
    """A serializer's errors as one line: "field: problem" each; `plain` names messages that stand
    alone (said as they are, without their field's name)."""
    plain = plain or {}
    problems = []
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            text = plain.get(str(message)) or (str(message) if field == "non_field_errors"
                                               else f"{field}: {_flat(message)}")
            if text not in problems:
                problems.append(text)
    return " ".join(problems)


def _flat(message) -> str:
    """Nested problems (a list of items, a dict of fields) in one line."""
    if isinstance(message, dict):
        return "; ".join(f"{key}: {_flat(value)}" for key, value in message.items())
    if isinstance(message, list):
        return " ".join(_flat(item) for item in message)
    return str(message)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.JSONField(required=False, help_text="The problems, by field (or a list for a protocol).")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(required=False, help_text="The action's status now.")
    protocol_hash = serializers.CharField(required=False, help_text="The hash of the action's current revision.")


_BY_CODE = {400: ValidationErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
            409: ConflictSerializer, 410: ConflictSerializer, 415: ErrorSerializer, 429: ErrorSerializer,
            503: ErrorSerializer}
#: What any endpoint may answer: nobody signed in (401), not allowed (403), an organisation in
#: X-AIOM-Org the caller is not a member of (404), too many requests or failed tokens (429).
ANY_ENDPOINT = (401, 403, 404, 429)


def error_responses(*codes: int) -> dict:
    """`extend_schema(responses=...)` entries for these error codes and those of any endpoint,
    always JSON (also on views that can answer CSV)."""
    return {(code, JSON): _BY_CODE[code] for code in sorted({*ANY_ENDPOINT, *codes})}
