import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0005_outcome_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='sequence',
            name='timing_flex_days',
            field=models.PositiveSmallIntegerField(default=0, help_text="With Claude configured, each level may come up to this many days earlier or later than its offset when the customer's history suggests it (0: always on the offset).", validators=[django.core.validators.MaxValueValidator(14)]),
        ),
        migrations.AddField(
            model_name='followup',
            name='timing',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='followupevent',
            name='kind',
            field=models.CharField(choices=[('started', 'Started'), ('proposed', 'Level proposed'), ('sent', 'Level done'), ('skipped', 'Level skipped'), ('paused', 'Paused'), ('resumed', 'Resumed'), ('stopped', 'Stopped'), ('completed', 'Completed'), ('reply', 'Customer replied'), ('promise', 'Promise to pay'), ('promise_broken', 'Promise broken'), ('dispute', 'Dispute'), ('outcome', 'Outcome'), ('timing', 'Timing')], max_length=16),
        ),
    ]
