import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("aiom", "0001_initial"),
        ("integrations", "0003_encrypt_odoo_secret"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="organization",
            field=models.ForeignKey(blank=True, help_text="Empty when the sender named none.", null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="aiom.organization"),
        ),
    ]
