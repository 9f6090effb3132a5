"""The fixed cast (one project with a member of every role, and an outsider), and data
built once for a module of tests."""

from contextlib import contextmanager

from reviewapp.models import Role
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)


def build_project():
    return ProjectFactory(slug="secret-review", title="Secret review of caseloads")


def build_topic_area(project):
    return TopicAreaFactory(project=project, key="caseload", title="Hidden caseload topic")


def member(project, username, role):
    return MembershipFactory(project=project, user=UserFactory(username=username), role=role).user


def build_outsider():
    """A user with a project of their own, but no membership in `project`."""
    user = UserFactory(username="outsider")
    MembershipFactory(project=ProjectFactory(slug="outsiders-own"), user=user, role=Role.LEAD)
    return user


def build_cast(project) -> dict:
    return {
        "lead": member(project, "lead", Role.LEAD),
        "reviewer": member(project, "reviewer", Role.REVIEWER),
        "reviewer2": member(project, "reviewer2", Role.REVIEWER),
        "peer_reviewer": member(project, "peer", Role.PEER_REVIEWER),
        "outsider": build_outsider(),
    }


@contextmanager
def data_for_the_module(django_db_blocker, media_root):
    """Data built once for a module's tests, for modules whose many tests each only read
    it (the permission matrices: rebuilding it for each of their thousand cases was a
    tenth of CI's time). Each test still runs in its own savepoint inside this block, so
    what a test writes goes with it; the block rolls back once the module is done.
    Built under the settings each test runs with (_test_settings)."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    from reviewapp.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    test_settings = override_settings(
        LANGUAGE_CODE="en",
        MEDIA_ROOT=media_root,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CELERY_TASK_ALWAYS_EAGER=True,
    )
    try:
        with (
            django_db_blocker.unblock(),
            test_settings,
            translation.override("en"),
            transaction.atomic(),
        ):
            yield
            transaction.set_rollback(True)
    finally:
        app.conf.task_always_eager = eager


@contextmanager
def cast_for_the_module(django_db_blocker, media_root):
    """The project, its topic area and the cast, built once for a module (see
    data_for_the_module); yields them by name."""
    with data_for_the_module(django_db_blocker, media_root):
        project = build_project()
        topic_area = build_topic_area(project)
        yield {"project": project, "topic_area": topic_area, "cast": build_cast(project)}
