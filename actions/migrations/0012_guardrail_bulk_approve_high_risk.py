from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0011_expiry_warning_beat_schedule'),
    ]

    operations = [
        migrations.AddField(
            model_name='guardrailpolicy',
            name='bulk_approve_high_risk',
            field=models.BooleanField(default=False, help_text='Let high and critical actions be approved together with others; otherwise each is approved on its own.'),
        ),
    ]
