"""The fixed cast: one project with a member of every role, and an outsider."""

import pytest

from reviewapp.models import Role
from tests.cast import build_outsider, build_project, build_topic_area, member

pytest_plugins = ["tests.worker"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(settings, media_root, request):
    settings.LANGUAGE_CODE = "en"
    # Cached figures (the stage progress) must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = media_root
    # Hashing with the production hasher costs ~0.3 s a user; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Query counts include the session read whichever cache the run has (production
    # reads sessions through Redis when it has one: test_settings checks that).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # Tasks run in the test's process unless the test asked for a real worker;
    # Celery reads its configuration once, so set it on the app itself.
    from reviewapp.celery import app

    eager = "celery_worker" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def project(db):
    return build_project()


@pytest.fixture
def topic_area(project):
    return build_topic_area(project)


@pytest.fixture
def lead(project):
    return member(project, "lead", Role.LEAD)


@pytest.fixture
def reviewer(project):
    return member(project, "reviewer", Role.REVIEWER)


@pytest.fixture
def second_reviewer(project):
    return member(project, "reviewer2", Role.REVIEWER)


@pytest.fixture
def peer_reviewer(project):
    return member(project, "peer", Role.PEER_REVIEWER)


@pytest.fixture
def outsider(db):
    return build_outsider()


@pytest.fixture
def cast(lead, reviewer, second_reviewer, peer_reviewer, outsider):
    return {
        "lead": lead,
        "reviewer": reviewer,
        "reviewer2": second_reviewer,
        "peer_reviewer": peer_reviewer,
        "outsider": outsider,
    }


@pytest.fixture
def prioritisation_stage(topic_area, lead):
    """A first stage of two over 20 records, 6 about job finding and 14 about wheat: a
    ranking tells them apart (the prioritisation page's and API's tests)."""
    from screening.services.screening import stages_set_up
    from tests.factories.screening import RecordFactory, SourceFactory

    source = SourceFactory(topic_area=topic_area)
    for n in range(6):
        RecordFactory(source=source, title=f"Caseworker meetings and job finding {n:02d}")
    for n in range(14):
        RecordFactory(source=source, title=f"Root growth of wheat in sandy soil {n:02d}")
    return stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
