"""Fixtures the grading tests share."""

import pytest

from grading.services import verdicts as verdict_services


@pytest.fixture
def category(topic_area, lead):
    """The topic area's graded category "caseload", with its verdict (no results yet).

    Made by the service, not by a factory: a graded category always has a verdict.
    """
    return verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="caseload", title="Reduced caseload"
    )
