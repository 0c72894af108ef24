"""Celery tasks: beat runs `tick_all` hourly, one `tick` per organisation that chases invoices
with sequences; each analysis starts one for its organisation when it finishes."""

import logging

from celery import shared_task

from actions.models import GuardrailPolicy
from aiom.models import Organization
from integrations.odoo.connections import client_for

from . import engine

logger = logging.getLogger(__name__)


@shared_task(name="aiom.followups.tick_all", acks_late=True, ignore_result=True)
def tick_all() -> int:
    organization_ids = list(GuardrailPolicy.objects.filter(follow_up_sequences=True)
                            .values_list("organization_id", flat=True))
    for organization_id in organization_ids:
        tick.delay(organization_id)
    return len(organization_ids)


@shared_task(name="aiom.followups.tick", acks_late=True, ignore_result=True)
def tick(organization_id: int) -> dict:
    organization = Organization.objects.filter(pk=organization_id, guardrail_policy__follow_up_sequences=True).first()
    if organization is None:
        return {}
    with client_for(organization) as odoo:
        report = engine.tick(organization, odoo)
    logger.info("follow-ups for %s: %s", organization.slug, report.as_dict())
    return report.as_dict()
