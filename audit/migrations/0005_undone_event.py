from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_superseded_event'),
    ]

    operations = [
        migrations.AlterField(
            model_name='actionevent',
            name='event_type',
            field=models.CharField(choices=[('created', 'Created'), ('guardrail_decision', 'Guardrail decision'), ('notified', 'Notified'), ('edited', 'Edited'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Expired'), ('cancelled', 'Cancelled'), ('executing', 'Executing'), ('revalidation_failed', 'Revalidation failed'), ('deferred', 'Deferred'), ('executed', 'Executed'), ('failed', 'Failed'), ('outcome_unknown', 'Outcome unknown'), ('policy_changed', 'Policy changed'), ('denied', 'Denied'), ('blocked', 'Blocked'), ('requeued', 'Requeued'), ('token_refused', 'Token refused'), ('undone', 'Undone before sending'), ('superseded', 'Superseded')], max_length=32),
        ),
    ]
