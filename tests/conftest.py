"""The fixed cast: one project with a member of every role, and an outsider."""

import pytest

from reviewapp.models import Role
from tests.cast import build_outsider, build_project, build_topic_area, member

pytest_plugins = ["tests.worker"]


# The test modules CI also runs on the embedded default (SQLite, eager tasks, memory cache;
# `make run`'s), after the whole suite has run on PostgreSQL and Redis: those of the code
# that differs by database (vendor branches in backup, import, de-duplication, ranking and
# health; raw SQL in the screening queue; text filters and searches; the date and key casts
# of the activity log and the histories) and of the embedded default's own path (the demo,
# settings, an absent broker). The rest (the access matrices, the API's schema and
# strictness, the pure rules and parsers) tests the same ORM queries whatever the database,
# and running it twice took CI over its 30 minutes.
EMBEDDED_TOO = frozenset(
    {
        "tests/test_migrations.py",
        "tests/api/test_activity.py",
        "tests/api/test_import_confirmation.py",
        "tests/api/test_query_parameters.py",
        "tests/api/test_record_history.py",
        "tests/api/test_study_history.py",
        "tests/grading/test_demo.py",
        "tests/grading/test_demo_in_progress.py",
        "tests/grading/test_exports.py",
        "tests/grading/test_outage_recovery.py",
        "tests/grading/test_services.py",
        "tests/grading/test_tasks.py",
        "tests/reviewapp/test_activity.py",
        "tests/reviewapp/test_archive.py",
        "tests/reviewapp/test_backup.py",
        "tests/reviewapp/test_degraded.py",
        "tests/reviewapp/test_health.py",
        "tests/reviewapp/test_settings.py",
        "tests/screening/test_assignments.py",
        "tests/screening/test_dedup.py",
        "tests/screening/test_duplicates.py",
        "tests/screening/test_flow_counts.py",
        "tests/screening/test_fulltext_services.py",
        "tests/screening/test_import_confirmation.py",
        "tests/screening/test_import_robustness.py",
        "tests/screening/test_import_worker_death.py",
        "tests/screening/test_imports.py",
        "tests/screening/test_ranking_services.py",
        "tests/screening/test_record_corrections.py",
        "tests/screening/test_screening_services.py",
        "tests/screening/test_screening_views.py",
        "tests/screening/test_stage_filters.py",
    }
)


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    missing = sorted(name for name in EMBEDDED_TOO if not (root / name).is_file())
    if missing:  # a module renamed or removed would silently leave the embedded run
        raise pytest.UsageError(f"EMBEDDED_TOO names modules that do not exist: {missing}")
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)
        if item.path.relative_to(root).as_posix() in EMBEDDED_TOO:
            item.add_marker(pytest.mark.embedded)


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
