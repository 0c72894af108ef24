from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0005_outcome_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='level',
            name='attach_invoices',
            field=models.BooleanField(default=False, help_text="An email level attaches each invoice's PDF from Odoo (an invoice without one goes without)."),
        ),
    ]
