from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0006_delivery_problems"),
        ("followups", "0006_level_attach_invoices"),
        ("followups", "0006_negotiation_hold"),
        ("followups", "0006_timing_flex"),
    ]

    operations = []
