"""Configuration checks for what execution relies on: timeouts nest, and no delay can outlive
the broker's visibility timeout (which would deliver a task twice)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def timeouts_nest(app_configs, **kwargs):
    errors = []
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    socket_timeouts = {"ODOO_TIMEOUT": settings.ODOO_TIMEOUT, "EMAIL_TIMEOUT": settings.EMAIL_TIMEOUT,
                       "SMS_TIMEOUT": settings.SMS_TIMEOUT}
    for name, value in socket_timeouts.items():
        if value and value >= soft:
            errors.append(Error(f"{name} ({value}s) must be shorter than CELERY_TASK_SOFT_TIME_LIMIT ({soft}s).",
                                id="aiom.E001"))
    # Claude's calls only count when Claude is configured: the SDK tries (retries + 1) times.
    claude_budget = (settings.ANTHROPIC_MAX_RETRIES + 1) * settings.ANTHROPIC_TIMEOUT
    if settings.ANTHROPIC_API_KEY and claude_budget >= soft:
        errors.append(Error(f"(ANTHROPIC_MAX_RETRIES + 1) × ANTHROPIC_TIMEOUT ({claude_budget:g}s) must be shorter "
                            f"than CELERY_TASK_SOFT_TIME_LIMIT ({soft}s).", id="aiom.E001"))
    if soft >= hard:
        errors.append(Error(f"CELERY_TASK_SOFT_TIME_LIMIT ({soft}s) must be shorter than CELERY_TASK_TIME_LIMIT "
                            f"({hard}s).", id="aiom.E002"))
    if hard >= visibility:
        errors.append(Error(f"CELERY_TASK_TIME_LIMIT ({hard}s) must be shorter than the broker visibility timeout "
                            f"({visibility}s).", id="aiom.E003"))
    retry_cap = settings.AIOM_RETRY_MAX_SECONDS
    if retry_cap >= visibility / 4:
        errors.append(Error(f"AIOM_RETRY_MAX_SECONDS ({retry_cap}s) must stay below a quarter of the visibility "
                            f"timeout ({visibility}s).", id="aiom.E004"))
    return errors
