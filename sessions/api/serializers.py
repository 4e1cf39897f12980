"""How the programme is written as JSON. Every list here comes from a QuerySet method's
prefetch (`with_people()`, `with_public_participations()`): serializers run no queries."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Forum, Material, Participation, Person, Session


class ForumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Forum
        fields = ("id", "name", "edition", "starts_on", "ends_on", "city")


class PersonRefSerializer(serializers.ModelSerializer):
    """A person as a session lists them: the name and where their own record is."""

    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ("slug", "full_name")


class ParticipationSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    organisation = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Participation
        fields = ("person", "role", "organisation", "position", "report_title")


class MaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Where the file is downloaded, or the link is followed."
    )

    class Meta:
        model = Material
        fields = ("title", "kind", "download_url")

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, material):
        return self.context["request"].build_absolute_uri(material.get_absolute_url())


class SessionSerializer(serializers.ModelSerializer):
    forum = serializers.PrimaryKeyRelatedField(read_only=True)
    day = serializers.DateField(read_only=True, help_text="The day it starts, Moscow time.")
    url = serializers.SerializerMethodField(help_text="The session's page.")
    people = ParticipationSerializer(
        source="confirmed_participations",
        many=True,
        read_only=True,
        help_text="Confirmed moderators and reporters, in programme order.",
    )
    organisers = serializers.SerializerMethodField()
    materials = MaterialSerializer(source="material_list", many=True, read_only=True)

    class Meta:
        model = Session
        fields = (
            "slug",
            "title",
            "format",
            "forum",
            "starts_at",
            "ends_at",
            "day",
            "room",
            "summary",
            "url",
            "people",
            "organisers",
            "materials",
        )

    @extend_schema_field(serializers.URLField())
    def get_url(self, session):
        return self.context["request"].build_absolute_uri(session.get_absolute_url())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_organisers(self, session):
        return [str(organiser.organisation) for organiser in session.organiser_list]


class PersonParticipationSerializer(serializers.ModelSerializer):
    session = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Participation
        fields = ("session", "role", "organisation", "position", "report_title")


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The person's page.")
    participations = PersonParticipationSerializer(
        source="public_participations", many=True, read_only=True
    )

    class Meta:
        model = Person
        fields = (
            "slug",
            "full_name",
            "surname",
            "first_name",
            "patronymic",
            "url",
            "participations",
        )

    @extend_schema_field(serializers.URLField())
    def get_url(self, person):
        return self.context["request"].build_absolute_uri(person.get_absolute_url())


class SessionFilterSerializer(serializers.Serializer):
    """The query of the sessions list; a value it refuses is a 400 naming the parameter."""

    edition = serializers.IntegerField(
        required=False, min_value=1, max_value=32767, help_text="The forum's edition number."
    )
    day = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD, Moscow time."
    )
    format = serializers.ChoiceField(choices=Session.Format.choices, required=False)
