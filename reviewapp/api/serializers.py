"""Serializers of the API: the base app's resources (projects, memberships, topic areas) and
the pieces every app's serializers use.

They never save: the views hand `validated_data` to the services (`<entity>_<action>`), which
do every write, as the pages' forms do.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from reviewapp.models import Membership, Project, Role, TopicArea
from reviewapp.services import PROJECT_FIELDS, TOPIC_AREA_FIELDS

# The largest id the databases store (64-bit): a larger one in a filter would overflow.
MAX_ID = 2**63 - 1


def texts(**kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=500), **kwargs)


class VersionedSerializer(serializers.ModelSerializer):
    """The version the client read: required to update (else 428), see views.expected_version."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; an update with an older one is refused (409).",
    )


class ProjectSerializer(VersionedSerializer):
    my_role = serializers.CharField(read_only=True, help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = [
            *PROJECT_FIELDS,
            "created_at",
            "version",
            "my_role",
        ]
        read_only_fields = ["created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError(_("No user is named %(name)s.") % {"name": value})
        return user


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class TopicAreaSerializer(VersionedSerializer):
    population_terms = texts(required=False)
    intervention_terms = texts(required=False)
    study_design_terms = texts(required=False)
    databases = texts(required=False)
    languages = texts(required=False, help_text="ISO 639-1 codes, e.g. da, en.")
    regions = texts(required=False)
    reported_flow = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = TopicArea
        fields = [
            *TOPIC_AREA_FIELDS,
            "reported_flow",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]
        # The key's uniqueness in the project is the service's to check (full_clean).
        validators = []


class MyMembershipSerializer(serializers.Serializer):
    project = serializers.CharField(source="project.slug", help_text="The project's slug.")
    project_title = serializers.CharField(source="project.title")
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    """Who the token (or session) acts as."""

    username = serializers.CharField()
    name = serializers.CharField(help_text="The full name, or empty.")
    language = serializers.ChoiceField(
        choices=Project.Language.choices,
        help_text="The language of one's e-mails (the profile's).",
    )
    memberships = MyMembershipSerializer(many=True)
