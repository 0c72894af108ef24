"""Odoo secrets stored in plain text until now are encrypted in place (aiom/crypto.py)."""

from django.db import migrations

import aiom.crypto

TABLE = "integrations_odooconnection"


def _rewrite(schema_editor, transform):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {TABLE}")
        for pk, value in cursor.fetchall():
            if value:
                cursor.execute(f"UPDATE {TABLE} SET secret = %s WHERE id = %s", [transform(value), pk])


def encrypt(apps, schema_editor):
    _rewrite(schema_editor, aiom.crypto.encrypt)


def decrypt(apps, schema_editor):
    _rewrite(schema_editor, lambda token: aiom.crypto.decrypt(token) or "")


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0002_outboxmessage"),
    ]

    operations = [
        migrations.AlterField(
            model_name="odooconnection",
            name="secret",
            field=aiom.crypto.EncryptedTextField(help_text="Password or API key."),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
