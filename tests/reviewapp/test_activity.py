"""The project's activity log: filters, pagination, query counts."""

import pytest
from django.urls import reverse

from reviewapp import services
from reviewapp.models import AuditEntry
from tests.factories.reviewapp import TopicAreaFactory


def _log(response) -> str:
    """The list of entries, without the filter form (which names every topic area)."""
    return response.content.decode().split('data-testid="activity"')[1]


def _url(**params):
    url = reverse("activity", kwargs={"slug": "secret-review"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def log(lead, reviewer, topic_area):
    other = TopicAreaFactory(project=topic_area.project, key="other", title="Other topic")
    services.topic_area_update(
        topic_area=topic_area, actor=lead, expected_version=1, title="Renamed by the lead"
    )
    services.topic_area_update(
        topic_area=other, actor=lead, expected_version=1, title="Other renamed"
    )
    services.membership_change_role(
        membership=topic_area.project.memberships.get(user=reviewer), role="lead", actor=lead
    )
    AuditEntry.objects.filter(action="membership.change_role").update(
        created_at="2020-01-15T12:00:00Z"
    )
    return other


def test_activity_filters_by_person_kind_topic_and_date(client, lead, log, topic_area):
    client.force_login(lead)

    by_kind = _log(client.get(_url(kind="membership")))
    by_topic = _log(client.get(_url(topic="caseload")))
    by_date = _log(client.get(_url(date_from="2020-01-01", date_to="2020-01-31")))
    by_person = _log(client.get(_url(person="reviewer")))

    assert "changed the role of" in by_kind and "Renamed by the lead" not in by_kind
    assert "Renamed by the lead" in by_topic and "Other renamed" not in by_topic
    assert "changed the role of" in by_date and "Renamed by the lead" not in by_date
    assert "Nothing yet." in by_person  # the reviewer did nothing
    everything = _log(client.get(_url()))
    assert "Renamed by the lead" in everything and "Other renamed" in everything


def test_activity_names_a_bad_date_and_applies_the_other_filters(client, lead, log):
    client.force_login(lead)
    body = client.get(_url(date_from="yesterday", kind="membership")).content.decode()
    assert "Enter a valid date." in body
    assert "changed the role of" in _log(client.get(_url(date_from="yesterday")))
    # The valid filter still applies.
    assert "Renamed by the lead" not in body.split('data-testid="activity"')[1]


def test_activity_pages_keep_the_filters(client, lead, topic_area):
    for number in range(55):
        services.topic_area_update(
            topic_area=topic_area, actor=lead, expected_version=number + 1, title=f"T{number}"
        )
    client.force_login(lead)
    body = client.get(_url(kind="topic_area")).content.decode()
    assert "1 / 2" in body
    assert "?kind=topic_area&amp;page=2" in body


@pytest.mark.parametrize("entries", [1, 30])
def test_activity_query_count_does_not_grow(
    client, lead, topic_area, entries, django_assert_max_num_queries
):
    for number in range(entries):
        services.topic_area_update(
            topic_area=topic_area, actor=lead, expected_version=number + 1, title=f"T{number}"
        )
    client.force_login(lead)
    with django_assert_max_num_queries(12):
        response = client.get(_url(topic="caseload", kind="topic_area"))
    assert response.content.decode().count("edited the topic area") == entries


def test_activity_has_no_edit_controls(client, lead, log):
    client.force_login(lead)
    body = client.get(_url()).content.decode()
    assert 'method="post"' not in body.split('data-testid="activity"')[1]


def test_a_reviewer_reads_no_values_of_the_others_blind_decisions(
    client, lead, reviewer, second_reviewer, peer_reviewer, topic_area
):
    from screening.models import Record, Source
    from screening.services.screening import decision_record, stage_update, stages_set_up

    source = Source.objects.create(topic_area=topic_area, name="EconLit")
    Record.objects.create(topic_area=topic_area, source=source, position=1, title="A record")
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    stage = stage_update(
        stage=stage, actor=lead, expected_version=stage.version, reviewers_required=2
    )
    item = stage.items.get()
    decision_record(item=item, reviewer=reviewer, value="include")
    decision_record(item=item, reviewer=reviewer, value="maybe", note="Blind second thoughts")

    client.force_login(second_reviewer)
    blind = _log(client.get(_url(kind="decision")))
    client.force_login(peer_reviewer)
    peer = _log(client.get(_url(kind="decision")))

    assert "changed the decision on" in blind
    assert "Blind second thoughts" not in blind and "values hidden" in blind
    assert "Blind second thoughts" in peer
