"""Rotate the key that encrypts stored secrets (aiom/crypto.py).

1. `manage.py rotate_encryption_key --new-key` prints a new key.
2. Put it first in AIOM_ENCRYPTION_KEYS (keep the old ones after it) and restart.
3. `manage.py rotate_encryption_key` re-encrypts every stored secret with it.
4. Drop the old keys from AIOM_ENCRYPTION_KEYS.
"""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from aiom import crypto


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the first key of AIOM_ENCRYPTION_KEYS (--new-key prints a new key)."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true",
                            help="print a new key to put first in AIOM_ENCRYPTION_KEYS; change nothing")

    def handle(self, *args, new_key: bool, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        done, unreadable = crypto.reencrypt_all()
        self.stdout.write(f"Re-encrypted {done} secret(s) with the newest key.")
        if unreadable:
            raise CommandError(f"{unreadable} secret(s) could not be decrypted with any configured key; "
                               "enter them again (e.g. the Odoo connection in the admin).")
