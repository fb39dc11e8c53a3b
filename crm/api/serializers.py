from rest_framework import serializers

from crm.api.fields import OwnerField
from crm.models import Label, Role, Team, User, Visibility


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    managers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "members", "managers"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    # Not `format: email`: a user may have no address (empty), e.g. one invited without.
    email = serializers.CharField(read_only=True, help_text="Empty when the user has none.")

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
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        write_only=True,
        required=False,
        help_text="Leave out to invite: the user gets a one-time link to set their password "
        "by e-mail.",
    )
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
    name = serializers.CharField(max_length=100)
    members = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        many=True,
        required=False,
        help_text="Every member: a user in another team moves here; one left out leaves it.",
    )
    managers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        many=True,
        required=False,
        help_text="Users with the manager role who manage this team.",
    )


class HandOverSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="An active user."
    )


class ReassignSerializer(serializers.Serializer):
    owner = OwnerField(
        required=True,
        help_text="The new owner. Admins may choose anyone, managers the members of the teams "
        "they manage, others their own team.",
    )
    visible_to = serializers.ChoiceField(
        Visibility.choices, required=False, help_text="If given, who sees the record from now on."
    )


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "color"]
        read_only_fields = fields


class LabelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}\Z", required=False, help_text="A hex colour, e.g. #2563eb."
    )
