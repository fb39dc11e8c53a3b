"""The domain's errors at the API's edge: 400 with field errors, 403, 404 or 409; never a 500."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from crm.errors import DomainError, NotPermitted, StaleVersion

NON_FIELD = "non_field_errors"


def conflict(code: str, detail: str, **payload) -> Response:
    return Response({"code": code, "detail": detail, **payload}, status=status.HTTP_409_CONFLICT)


def api_exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return conflict(exc.code, exc.message)
    if isinstance(exc, NotPermitted) and exc.field is None:
        # Only records the caller can see get this far (selectors answer 404 for the others),
        # so saying "not allowed" gives nothing away.
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or NON_FIELD: [exc.message]}, code=exc.code)
    return drf_exception_handler(exc, context)
