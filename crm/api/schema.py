"""The OpenAPI schema: every operation also documents the errors it can answer."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="A stable code, where there is one.")


FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or `non_field_errors`) → messages; nested for nested fields.",
    "additionalProperties": {},
}


class CrmAutoSchema(AutoSchema):
    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors: dict[str, OpenApiResponse] = {}
        has_input = self.method in ("POST", "PUT", "PATCH") or (
            self.method == "GET" and bool(self._get_filter_parameters() or self._is_list_view())
        )
        if has_input or self.get_override_parameters():
            errors["400"] = OpenApiResponse(FIELD_ERRORS, description="Invalid input.")
        if self.get_auth():
            errors["401"] = OpenApiResponse(ErrorSerializer, description="Not authenticated.")
            errors["403"] = OpenApiResponse(ErrorSerializer, description="Not allowed.")
            # Also a list's page past the end, and a feature the caller's role does not have.
            errors["404"] = OpenApiResponse(
                ErrorSerializer, description="No such record, or one the caller may not see."
            )
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors["415"] = OpenApiResponse(ErrorSerializer, description="Unsupported media type.")
        errors["429"] = OpenApiResponse(ErrorSerializer, description="Throttled.")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _get_request_for_media_type(self, serializer, direction="request"):
        # A PATCH whose serializer requires fields (the deal's `version`) is not "partial":
        # document those fields as required, as the view enforces them.
        serializer = force_instance(serializer)
        if self.method == "PATCH" and getattr(serializer, "patch_is_partial", True) is False:
            component = self.resolve_serializer(serializer, direction)
            return component.ref, bool(component.schema.get("required"))
        return super()._get_request_for_media_type(serializer, direction)
