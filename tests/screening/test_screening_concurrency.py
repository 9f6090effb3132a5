"""Real concurrent transactions on PostgreSQL: reviewers asking for the next record
at the same moment are never handed the same record in a single-reviewer stage."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from reviewapp.models import Role
from screening.models import Claim, Decision, ScreeningItem
from screening.services.screening import (
    decision_record,
    screening_decide,
    screening_next,
    stages_set_up,
)
from tests.factories.reviewapp import MembershipFactory, UserFactory
from tests.factories.screening import RecordFactory, SourceFactory

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
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    return stage, reviewers


def _all_at_once(reviewers, work) -> list[BaseException]:
    """Run work(reviewer) in a thread per reviewer, started together; the errors."""
    start = threading.Barrier(len(reviewers))
    errors: list[BaseException] = []

    def run(reviewer):
        try:
            start.wait()
            work(reviewer)
        except BaseException as error:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_reviewers_each_get_their_own_records(screening_setup):
    stage, reviewers = screening_setup
    handed: list[tuple[int, int]] = []

    def work(reviewer):
        while item := screening_next(stage=stage, reviewer=reviewer):
            handed.append((reviewer.pk, item.pk))
            decision_record(item=item, reviewer=reviewer, value="exclude")

    assert _all_at_once(reviewers, work) == []
    assert len(handed) == RECORDS
    assert max(Counter(item_id for _reviewer, item_id in handed).values()) == 1
    assert Decision.objects.count() == RECORDS
    assert ScreeningItem.objects.filter(stage=stage, status="excluded").count() == RECORDS
    # The work was shared, not done by whoever came first.
    assert len({reviewer_id for reviewer_id, _item in handed}) > 1


def test_concurrent_round_trips_decide_every_record_once(screening_setup):
    """The screening page's path: each decision hands on the next record in the same
    transaction, moving the reviewer's claim rather than deleting and adding one."""
    stage, reviewers = screening_setup
    decided: list[tuple[int, int]] = []

    def work(reviewer):
        item = screening_next(stage=stage, reviewer=reviewer)
        while item is not None:
            decided.append((reviewer.pk, item.pk))
            item = screening_decide(
                stage=stage, item_id=item.pk, reviewer=reviewer, value="exclude"
            )

    assert _all_at_once(reviewers, work) == []
    assert len(decided) == RECORDS
    assert max(Counter(item_id for _reviewer, item_id in decided).values()) == 1
    assert Decision.objects.count() == RECORDS
    assert ScreeningItem.objects.filter(stage=stage, status="excluded").count() == RECORDS
    assert not Claim.objects.exists()  # every claim went with the reviewer's last decision
    assert len({reviewer_id for reviewer_id, _item in decided}) > 1
