"""Real concurrent transactions on PostgreSQL: reviewers asking for the next record
at the same moment are never handed the same record in a single-reviewer stage."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from reviewapp.models import Role
from screening import services
from screening.models import Decision, ScreeningItem
from tests.factories import MembershipFactory, RecordFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.postgres

REVIEWERS = 6
RECORDS = 60


@pytest.fixture
def screening_setup(transactional_db, topic_area, lead):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL (CI runs this on it)")
    source = SourceFactory(topic_area=topic_area)
    for _ in range(RECORDS):
        RecordFactory(source=source)
    reviewers = [
        MembershipFactory(
            project=topic_area.project, user=UserFactory(username=f"r{i}"), role=Role.REVIEWER
        ).user
        for i in range(REVIEWERS)
    ]
    stage = services.stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    return stage, reviewers


def test_concurrent_reviewers_each_get_their_own_records(screening_setup):
    stage, reviewers = screening_setup
    start = threading.Barrier(len(reviewers))
    handed: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def work(reviewer):
        try:
            start.wait()
            while item := services.screening_next(stage=stage, reviewer=reviewer):
                handed.append((reviewer.pk, item.pk))
                services.decision_record(item=item, reviewer=reviewer, value="exclude")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(handed) == RECORDS
    assert max(Counter(item_id for _reviewer, item_id in handed).values()) == 1
    assert Decision.objects.count() == RECORDS
    assert ScreeningItem.objects.filter(stage=stage, status="excluded").count() == RECORDS
    # The work was shared, not done by whoever came first.
    assert len({reviewer_id for reviewer_id, _item in handed}) > 1
