import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0012_guardrail_bulk_approve_high_risk'),
    ]

    operations = [
        migrations.AddField(
            model_name='guardrailpolicy',
            name='send_delay_seconds',
            field=models.PositiveIntegerField(default=120, help_text='Seconds an approved email or SMS waits before it is sent, so it can still be undone. 0 sends at once.', validators=[django.core.validators.MaxValueValidator(86400)]),
        ),
        migrations.AddField(
            model_name='approval',
            name='undone_at',
            field=models.DateTimeField(blank=True, help_text='Set when someone pressed Undo before the message was sent: this approval no longer counts, and its approver may decide again.', null=True),
        ),
        migrations.RemoveConstraint(
            model_name='approval',
            name='one_decision_per_user_and_revision',
        ),
        migrations.AddConstraint(
            model_name='approval',
            constraint=models.UniqueConstraint(condition=models.Q(('undone_at__isnull', True)), fields=('action', 'user', 'protocol_hash'), name='one_decision_per_user_and_revision'),
        ),
    ]
