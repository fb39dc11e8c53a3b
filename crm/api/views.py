"""The token endpoint, users, teams and labels, and `me/` (the caller: the cheapest call)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import services
from crm.api.base import AdminWrites, ApiDefaults, RecordViewSet
from crm.api.schema import FIELD_ERRORS, ErrorSerializer
from crm.api.serializers import (
    LabelInputSerializer,
    LabelSerializer,
    TeamInputSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from crm.api.throttles import TokenThrottle
from crm.login_limits import login_lockout
from crm.models import Label, User
from crm.selectors import team_list


class TokenView(ApiDefaults, APIView):
    """Trade a username and password for the caller's API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(FIELD_ERRORS, description="Wrong username or password."),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many requests, or too many failed logins of this username "
                "or from this address (CRM_LOGIN_FAILURE_LIMIT): try again after Retry-After.",
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lockout = login_lockout(request=request, username=serializer.validated_data["username"])
        if lockout is not None:
            raise Throttled(wait=lockout.seconds_left, detail=lockout.message)
        user = authenticate(request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise ValidationError(
                {"non_field_errors": ["Unable to log in with the username and password given."]},
                code="authorization",
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class UserViewSet(RecordViewSet):
    """Everyone reads the users; admins create and change them."""

    serializer_class = UserSerializer
    permission_classes = [AdminWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return User.objects.prefetch_related("managed_teams").order_by("id")

    @extend_schema(
        request=UserCreateSerializer,
        responses={201: UserSerializer},
        description="Admins only. Without `password` the user is invited: they get a one-time "
        "link to set it by e-mail (Django's e-mail backend).",
    )
    def create(self, request):
        data = self.parse(UserCreateSerializer)
        user = services.user_create(actor=self.actor, **data)
        if not data.get("password"):
            services.user_send_password_link(
                actor=self.actor, user=user, base_url=request.build_absolute_uri("/"), invite=True
            )
        return self.render(user, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=UserUpdateSerializer,
        responses={200: UserSerializer},
        description="Admins only. `is_active: false` deactivates: the user's records stay "
        "(`POST {id}/hand-over/` gives them to someone else). The last active admin cannot be "
        "demoted or deactivated (400).",
    )
    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = self.parse(UserUpdateSerializer, partial=True)
        user = services.user_update(actor=self.actor, user=user, **data)
        return self.render(self.fresh(user))

    @extend_schema(
        request=None,
        responses={204: None},
        description="Admins only: e-mail the user a one-time link to set a new password.",
    )
    @action(detail=True, methods=["post"], url_path="password-link")
    def password_link(self, request, pk=None):
        services.user_send_password_link(
            actor=self.actor,
            user=self.get_object(),
            base_url=request.build_absolute_uri("/"),
            invite=False,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: UserSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def me(self, request):
        """The caller."""
        return self.render(request.user)


class TeamViewSet(RecordViewSet):
    serializer_class = TeamSerializer
    permission_classes = [AdminWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return team_list()

    @extend_schema(request=TeamInputSerializer, responses={201: TeamSerializer})
    def create(self, request):
        team = services.team_create(actor=self.actor, **self.parse(TeamInputSerializer))
        return self.render(self.fresh(team), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=TeamInputSerializer, responses={200: TeamSerializer})
    def partial_update(self, request, pk=None):
        team = self.get_object()
        data = self.parse(TeamInputSerializer, partial=True)
        return self.render(self.fresh(services.team_update(actor=self.actor, team=team, **data)))


class LabelViewSet(RecordViewSet):
    """The labels leads (and deals) carry: everyone reads them, admins change them."""

    serializer_class = LabelSerializer
    permission_classes = [AdminWrites]

    def get_queryset(self):
        return Label.objects.order_by("name", "id")

    @extend_schema(request=LabelInputSerializer, responses={201: LabelSerializer})
    def create(self, request):
        label = services.label_create(actor=self.actor, **self.parse(LabelInputSerializer))
        return self.render(label, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=LabelInputSerializer, responses={200: LabelSerializer})
    def partial_update(self, request, pk=None):
        label = self.get_object()
        data = self.parse(LabelInputSerializer, partial=True)
        return self.render(services.label_update(actor=self.actor, label=label, **data))

    @extend_schema(description="Admins only. The leads and deals that carry it lose it.")
    def destroy(self, request, pk=None):
        services.label_delete(actor=self.actor, label=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
