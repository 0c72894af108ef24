"""How an event's hash is computed: one function, used by the writer and the verifier."""

import hashlib
import json
from datetime import datetime, timezone

from django.core.serializers.json import DjangoJSONEncoder

from aiom.text import canonical_json


def normalize_data(data: dict) -> dict:
    """Make event data JSON-native (dates, decimals, UUIDs → strings) so it round-trips exactly.

    The hash computed at writing must be the one recomputed from what the database returns,
    and an event must never fail to be written: whole-number floats become ints (jsonb gives
    1e16 back as 10000000000000000 and -0.0 as 0) and NUL characters, which PostgreSQL cannot
    store, become U+FFFD.
    """
    return _without_nul(json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, allow_nan=False),
                                   parse_float=_json_number))


def _json_number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def event_hash(*, organization_id: int, seq: int, action_id, event_type: str, actor: str,
               actor_type: str, data: dict, created_at: datetime, prev_hash: str) -> str:
    payload = {
        "organization": organization_id,
        "seq": seq,
        "action_id": str(action_id) if action_id else None,
        "event_type": event_type,
        "actor": actor,
        "actor_type": actor_type,
        "data": data,
        "created_at": created_at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
