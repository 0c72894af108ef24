import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0007_action_types_from_registry'),
        ('aiom', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('approval_request', 'Approval request'), ('approval_digest', 'Approval digest'), ('result', 'How an action ended')], max_length=20)),
                ('channel', models.CharField(choices=[('email', 'Email'), ('sms', 'Sms'), ('odoo', 'Odoo'), ('internal', 'Internal')], max_length=10)),
                ('address', models.CharField(max_length=254)),
                ('status', models.CharField(choices=[('sending', 'About to send (outcome unknown if it stays here)'), ('sent', 'Sent'), ('failed', 'Failed (see the error)')], default='sending', max_length=10)),
                ('error', models.TextField(blank=True)),
                ('message_id', models.CharField(blank=True, help_text="The email's Message-ID, or the SMS's idempotency key.", max_length=255)),
                ('provider_id', models.CharField(blank=True, help_text='What the provider calls the message.', max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('action', models.ForeignKey(blank=True, help_text='Empty for a digest: its items say which actions it listed.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to='actions.action')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='aiom.organization')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', '-created_at'], name='notifications_by_org'), models.Index(condition=models.Q(('status', 'sending')), fields=['created_at'], name='notifications_sending')],
            },
        ),
        migrations.AddField(
            model_name='digestitem',
            name='record',
            field=models.ForeignKey(blank=True, help_text='The digest that claimed it: the one being sent while the item waits, then the one that listed it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='digest_items', to='actions.notificationrecord'),
        ),
    ]
