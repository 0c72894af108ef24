"""The building blocks of the Action Protocol: field types, the strict base model and the
small vocabularies (risk, rollback, source, channel) that the registry and the protocol share.

A leaf module: it imports no other part of AIOM but the shared text and channel rules, so the
registry (`types.py`) and the protocol (`protocol.py`) can both stand on it.
"""

import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Union

from django.db import models
from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, StringConstraints, field_validator

from aiom.timezones import known_timezones
from integrations.channels import E164_PATTERN


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)

    @classmethod
    def highest(cls, *levels: "RiskLevel") -> "RiskLevel":
        return max((cls(level) for level in levels), key=lambda level: level.rank)


class RollbackStrategy(StrEnum):
    DELETE_RECORD = "delete_record"
    RESTORE_PREVIOUS = "restore_previous"
    MANUAL = "manual"
    NOT_POSSIBLE = "not_possible"


class Source(StrEnum):
    ANALYZER = "analyzer"
    FOLLOW_UP = "follow_up"
    ASSISTANT = "assistant"
    DASHBOARD = "dashboard"
    API = "api"


class Channel(models.TextChoices):
    """Where an operation's effect lands: a person outside (email, SMS), Odoo, or AIOM itself."""

    EMAIL = "email"
    SMS = "sms"
    ODOO = "odoo"
    INTERNAL = "internal"


#: Channels that reach people outside the company: always approved by a person.
OUTSIDE_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})


# ---------------------------------------------------------------------------------------------
# Field types


def no_line_breaks(value: str) -> str:
    """One line, refused at proposal or edit rather than at send time (after approval): no CR/LF,
    and no other control, format or separator character that could end or hide part of a line."""
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks (CR or LF)")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValueError("must not contain control or invisible characters")
    return value


def known_timezone(value: str) -> str:
    if value not in known_timezones():
        raise ValueError(f"unknown time zone {value!r}")
    return value


OdooId = Annotated[int, Field(gt=0, le=2**31 - 1)]
OdooModel = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", max_length=64)]
OdooField = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SingleLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Subject = Annotated[SingleLine, Field(description="1–255 characters, no CR/LF")]
E164 = Annotated[str, StringConstraints(pattern=E164_PATTERN)]
TimeZoneName = Annotated[str, Field(max_length=64, description="IANA time zone, e.g. Europe/Brussels")]
#: JSON values a change or predicate may carry (Odoo's: scalars, many2one pairs, id lists).
#: NaN and infinities have no JSON form: they could be neither hashed nor stored.
JsonScalar = Union[None, bool, int, FiniteFloat, str]
JsonValue = Union[JsonScalar, list[JsonScalar]]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class Strict(BaseModel):
    """Every protocol object: unknown fields refused, immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        """NUL has no place in text, and PostgreSQL cannot store it: refuse it here, by field."""
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value
