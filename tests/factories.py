import factory
from django.contrib.auth import get_user_model

from reviewapp.models import Membership, Project, Role, TopicArea

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Secret review number {n}")
    description = "Confidential description of the review."
    language = "da"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER


class TopicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicArea

    project = factory.SubFactory(ProjectFactory)
    key = factory.Sequence(lambda n: f"topic-{n}")
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Hidden topic area {n}")
    population = "Unemployed people"
    population_terms = ["unemployed", "job-seekers"]
    intervention = "Meetings at a distance"
    intervention_terms = ["video", "telephone"]
    study_design_terms = ["RCT"]
    databases = ["EconLit", "PsycInfo"]
    year_from = 2000
    year_to = 2019
    languages = ["da", "en"]
    regions = ["OECD countries"]


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.Source"

    topic_area = factory.SubFactory(TopicAreaFactory)
    name = "EconLit"


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.Record"

    source = factory.SubFactory(SourceFactory)
    topic_area = factory.LazyAttribute(lambda record: record.source.topic_area)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Confidential study title {n}")
    abstract = "A secret abstract about caseloads and unemployment."
    authors = factory.LazyFunction(lambda: ["Hainmueller, Jens", "Hofmann, Barbara"])
    year = 2016
    journal = "Journal of Public Economics"
