"""Factories for reviewapp's models (and the user model, which every app needs)."""

import hashlib
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from reviewapp.models import (
    ApiToken,
    AuditEntry,
    Erasure,
    Invitation,
    Membership,
    Notification,
    Project,
    Role,
    TopicArea,
    UserProfile,
    UserSession,
)

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
    population_terms = factory.LazyFunction(lambda: ["unemployed", "job-seekers"])
    intervention = "Meetings at a distance"
    intervention_terms = factory.LazyFunction(lambda: ["video", "telephone"])
    study_design_terms = factory.LazyFunction(lambda: ["RCT"])
    databases = factory.LazyFunction(lambda: ["EconLit", "PsycInfo"])
    year_from = 2000
    year_to = 2019
    languages = factory.LazyFunction(lambda: ["da", "en"])
    regions = factory.LazyFunction(lambda: ["OECD countries"])


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """An entry as `audit_record` writes it for a project's update."""

    class Meta:
        model = AuditEntry

    project = factory.SubFactory(ProjectFactory)
    actor = factory.SubFactory(UserFactory)
    action = "project.update"
    object_type = "project"
    object_id = factory.LazyAttribute(lambda entry: str(entry.project.pk))
    object_repr = factory.LazyAttribute(lambda entry: entry.project.title)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; its raw token is unknown (use `api_token_create` to call the API with one)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "laptop"
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    digest = factory.LazyAttribute(lambda token: hashlib.sha256(token.prefix.encode()).hexdigest())


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    language = "en"


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation (its link: reviewapp.accounts.services.invitation_link)."""

    class Meta:
        model = Invitation

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.REVIEWER
    language = "en"
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def _session():
    store = SessionStore()
    store.create()
    return Session.objects.get(pk=store.session_key)


class UserSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSession

    session = factory.LazyFunction(_session)
    user = factory.SubFactory(UserFactory)
    ip_address = "192.0.2.1"
    user_agent = "Mozilla/5.0 (test)"


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unsent notification of a finished import (reviewapp.notifications.notify makes them)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    kind = Notification.Kind.IMPORT
    params = factory.LazyFunction(lambda: {"file": "hits.ris", "what": "done"})
    path = "/"


class ErasureFactory(factory.django.DjangoModelFactory):
    """The record of an erasure only: `user_erase` is what pseudonymises the account."""

    class Meta:
        model = Erasure

    user = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: n + 1)
