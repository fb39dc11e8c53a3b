"""`POST /api/v1/users/{id}/hand-over/`: Settings' cross-app write, for admins."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api.base import AdminWrites, ApiDefaults
from crm.api.serializers import HandOverSerializer
from crm.models import User
from setup.services import user_hand_over


class HandedOverSerializer(serializers.Serializer):
    leads = serializers.IntegerField()
    deals = serializers.IntegerField()
    persons = serializers.IntegerField()
    organizations = serializers.IntegerField()
    activities = serializers.IntegerField(help_text="Open activities reassigned.")


class UserHandOverView(ApiDefaults, APIView):
    permission_classes = [AdminWrites]

    @extend_schema(
        request=HandOverSerializer,
        responses={200: HandedOverSerializer},
        description="Admins only: give everything the user owns (leads, deals, persons, "
        "organizations) and their open activities to `to`, in one step. Typically after "
        "deactivating them.",
        tags=["users"],
    )
    def post(self, request, pk: int):
        user = get_object_or_404(User, pk=pk)
        serializer = HandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = user_hand_over(actor=request.user, user=user, to=serializer.validated_data["to"])
        return Response(HandedOverSerializer(done).data)
