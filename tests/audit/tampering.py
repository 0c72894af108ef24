"""Editing the audit table the way only someone with the database owner's rights could."""

from django.db import connection

from audit.models import ActionEvent

TABLE = ActionEvent._meta.db_table


def tamper(sql: str, params: tuple = ()) -> None:
    """Run `sql` with the append-only triggers switched off, and switch them back on."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER ALL")
