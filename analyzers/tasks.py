"""Celery tasks: beat runs `run_all` hourly, which fans out one `run` per organisation, so
one slow or broken Odoo never delays the others."""

import logging

from celery import shared_task

from aiom.models import Organization

from .services import AnalysisAlreadyRunning, run_analysis

logger = logging.getLogger(__name__)


@shared_task(name="aiom.analyzers.run_all", acks_late=True, ignore_result=True)
def run_all() -> int:
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in organization_ids:
        run.delay(organization_id)
    return len(organization_ids)


@shared_task(name="aiom.analyzers.run", acks_late=True, ignore_result=True)
def run(organization_id: int) -> str:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "organisation gone"
    try:
        analysis = run_analysis(organization)
    except AnalysisAlreadyRunning as busy:
        logger.info("%s", busy.message)
        return "already running"
    # The follow-up engine reads the same Odoo: it runs after each analysis (named, so analyzers
    # never import it; it does nothing for an organisation that does not use sequences).
    try:
        run.app.send_task("aiom.followups.tick", args=[organization_id])
    except Exception as exc:  # noqa: BLE001 - the broker is away: the hourly tick covers it
        logger.warning("could not queue the follow-up tick for organisation %s: %s", organization_id, exc)
    return analysis.status
