from rest_framework import serializers

from crm.api.fields import OwnerField
from crm.models import Role, Team, User, Visibility


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = ["id"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "team",
            "managed_teams",
            "is_active",
        ]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(Role.choices, required=False, default=Role.REP)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    managed_teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), many=True, required=False, default=list
    )


class UserUpdateSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, required=False
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(Role.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    managed_teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), many=True, required=False
    )
    is_active = serializers.BooleanField(required=False)


class TeamInputSerializer(serializers.Serializer):
    patch_is_partial = False
    name = serializers.CharField(max_length=100)


class ReassignSerializer(serializers.Serializer):
    owner = OwnerField(
        required=True,
        help_text="The new owner. Admins may choose anyone, managers the members of the teams "
        "they manage, others their own team.",
    )
    visible_to = serializers.ChoiceField(
        Visibility.choices, required=False, help_text="If given, who sees the record from now on."
    )
