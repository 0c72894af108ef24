"""Text rules every app shares: one home for "make it one line" and for canonical JSON.

Text from Odoo or a language model may hold anything (line breaks, control or bidi
characters); wherever it must fit on one line (a title, a subject, a notice) it goes through
`one_line`. Hashes (the protocol's, the audit chain's) are taken over `canonical_json`, so equal
data always gives equal bytes.
"""

import json
import unicodedata
from typing import Any


def one_line(text: Any, limit: int | None = None) -> str:
    """`text` as one line of plain text: control, format and separator characters become
    spaces, runs of white space one space; cut to `limit` characters with an ellipsis."""
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in str(text or ""))
    flat = " ".join(text.split())
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)] + "…"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; NaN and infinities are refused (they have no JSON)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
