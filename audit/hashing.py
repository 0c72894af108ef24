"""How an event's hash is computed: one function, used by the writer and the verifier."""

import hashlib
import json
from datetime import datetime, timezone

from django.core.serializers.json import DjangoJSONEncoder


def normalize_data(data: dict) -> dict:
    """Make event data JSON-native (dates, decimals, UUIDs → strings) so it round-trips exactly."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, allow_nan=False))


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
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
