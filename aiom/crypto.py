"""Secrets AIOM must hand back to another system (an Odoo password or API key) cannot be
hashed, so they are kept encrypted at rest: a database dump or backup alone does not reveal
them. Fernet (AES-128-CBC with an HMAC-SHA256) from `cryptography`.

Keys come from `AIOM_ENCRYPTION_KEYS` (Fernet keys, newest first: the first encrypts, every
one decrypts, so a key can be rotated with `manage.py rotate_encryption_key`). Without it, one
key is derived from `SECRET_KEY`, so changing `SECRET_KEY` then makes stored secrets
unreadable (they must be entered again).
"""

import base64
import hashlib
import logging
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register
from django.db import models

logger = logging.getLogger(__name__)


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"aiom.crypto:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


@register()
def encryption_keys_valid(app_configs, **kwargs):
    errors = []
    for position, key in enumerate(settings.AIOM_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(Error(f"AIOM_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes; "
                                "make one with `manage.py rotate_encryption_key --new-key`).", id="aiom.E010"))
    return errors


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.AIOM_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str | None:
    """The plain text, or None when no configured key opens it."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def reencrypt_all() -> tuple[int, int]:
    """Write every encrypted value back under the newest key (after a new key was put first in
    AIOM_ENCRYPTION_KEYS): how many were re-encrypted, and how many no key could open."""
    done = unreadable = 0
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, EncryptedTextField):
                continue
            for pk, plain in model._base_manager.values_list("pk", field.name).iterator():
                if plain is None:
                    unreadable += 1
                elif plain:
                    model._base_manager.filter(pk=pk).update(**{field.name: plain})
                    done += 1
    return done, unreadable


class EncryptedTextField(models.TextField):
    """Stores text encrypted; reads it back decrypted, or as None (logged) when the keys
    cannot open it. Not searchable: each encryption of the same text differs."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        plain = decrypt(value)
        if plain is None:
            logger.error("%s.%s: a stored value cannot be decrypted with the configured keys "
                         "(AIOM_ENCRYPTION_KEYS or SECRET_KEY changed)", self.model.__name__, self.name)
        return plain

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
