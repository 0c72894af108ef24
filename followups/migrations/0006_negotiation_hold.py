from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0005_outcome_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='sequence',
            name='hold_during_negotiation',
            field=models.BooleanField(default=False, help_text='While a customer has an open deal in Odoo that changed in the last 14 days, their invoice reminders wait; they carry on once the deal is won, lost or quiet for 14 days.', verbose_name='hold reminders during a negotiation'),
        ),
        migrations.AlterField(
            model_name='followupevent',
            name='kind',
            field=models.CharField(choices=[('started', 'Started'), ('proposed', 'Level proposed'), ('sent', 'Level done'), ('skipped', 'Level skipped'), ('paused', 'Paused'), ('resumed', 'Resumed'), ('stopped', 'Stopped'), ('completed', 'Completed'), ('reply', 'Customer replied'), ('promise', 'Promise to pay'), ('promise_broken', 'Promise broken'), ('dispute', 'Dispute'), ('outcome', 'Outcome'), ('waiting', 'Waiting'), ('bounced', 'Delivery problem'), ('timing', 'Timing')], max_length=16),
        ),
    ]
