"""API plumbing shared by the apps: one error mapping and organisation scoping."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aiom.api_contract import in_words
from aiom.errors import ApplicationError
from aiom.tenancy import membership_for


def exception_handler(exc, context):
    """Application errors become clean 4xx answers with their message (HackSoft style)."""
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": f"The request is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes. "
                                   "Nothing was done."}, status=400)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response({"detail": in_words(errors), "errors": errors}, status=exc.status_code)
    return drf_exception_handler(exc, context)


def organization_of(request):
    membership = membership_for(request)
    if membership is None:
        raise exceptions.PermissionDenied("You are not a member of any organisation.")
    return membership.organization
