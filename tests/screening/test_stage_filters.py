"""The filters of a stage's list of records: text, label, decision, reason, reviewer, year,
source, maybe; blind decisions never filter for a reviewer who may not see them; the list's
queries do not grow with the records."""

import pytest
from django.urls import reverse

from reviewapp.models import Role
from screening.models import Stage
from screening.services.labels import record_label_add
from screening.services.screening import (
    decision_record,
    screening_maybe,
    stage_enter_records,
    stages_set_up,
    topic_area_enter_new_records,
)
from tests.factories.reviewapp import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def listed(topic_area, lead, reviewer, second_reviewer):
    econlit = SourceFactory(topic_area=topic_area, name="EconLit")
    scopus = SourceFactory(topic_area=topic_area, name="Scopus")
    records = {
        "caseload": RecordFactory(source=econlit, title="Caseloads and job search", year=2016),
        "meetings": RecordFactory(source=econlit, title="Remote meetings", year=2019),
        "sanctions": RecordFactory(source=scopus, title="Benefit sanctions", year=2021),
    }
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    reason = stage.exclusion_reasons[0]
    item = {key: stage.items.get(record=record) for key, record in records.items()}
    decision_record(item=item["caseload"], reviewer=reviewer, value="include")
    decision_record(item=item["meetings"], reviewer=lead, value="exclude", reason=reason)
    screening_maybe(stage=stage, item_id=item["sanctions"].pk, reviewer=reviewer, note="")
    record_label_add(record=records["sanctions"], actor=lead, name="Kids")
    return {"stage": stage, "records": records, "reason": reason, "econlit": econlit}


def _titles(client, stage, **params):
    url = reverse(
        "stage_records",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": stage.pk},
    )
    response = client.get(url, params)
    assert response.status_code == 200
    return sorted(item.record.title for item in response.context["page"])


def test_each_filter_lists_what_it_names(client, lead, reviewer, listed):
    stage = listed["stage"]
    label = listed["records"]["sanctions"].record_labels.get().label
    client.force_login(reviewer)

    assert _titles(client, stage, q="remote") == ["Remote meetings"]
    assert _titles(client, stage, label=label.pk) == ["Benefit sanctions"]
    assert _titles(client, stage, decision="include") == ["Caseloads and job search"]
    assert _titles(client, stage, reason=listed["reason"]) == ["Remote meetings"]
    assert _titles(client, stage, reviewer=lead.pk) == ["Remote meetings"]
    assert _titles(client, stage, year_from=2017, year_to=2020) == ["Remote meetings"]
    assert _titles(client, stage, source=listed["econlit"].pk) == [
        "Caseloads and job search",
        "Remote meetings",
    ]
    assert _titles(client, stage, maybe=1) == ["Benefit sanctions"]
    assert _titles(client, stage, source=listed["econlit"].pk, decision="exclude") == [
        "Remote meetings"
    ]


def test_the_list_shows_labels_and_pages_keep_the_filters(client, lead, listed, topic_area):
    source = listed["econlit"]
    for number in range(55):
        RecordFactory(source=source, title=f"Caseload study {number}", year=2018)
    topic_area_enter_new_records(topic_area=topic_area)
    client.force_login(lead)
    url = reverse(
        "stage_records",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": listed["stage"].pk},
    )

    body = client.get(url, {"q": "caseload"}).content.decode()
    assert "page=2" in body and "q=caseload" in body.split('class="pagination"')[1]
    labelled = client.get(url, {"q": "sanctions"}).content.decode()
    assert 'data-testid="item-label">Kids<' in labelled


def test_a_blinded_reviewer_cannot_filter_by_the_others_decisions(
    client, lead, reviewer, second_reviewer, listed
):
    # A stage of its own where two reviewers decide blind.
    secret = RecordFactory(source=listed["econlit"], title="Secretly excluded", year=2020)
    dual = Stage.objects.create(
        topic_area=listed["stage"].topic_area,
        position=9,
        name="Dual",
        kind=Stage.Kind.ABSTRACT,
        reviewers_required=2,
        exclusion_reasons=["Wrong population"],
    )
    stage_enter_records(stage=dual, record_ids=[secret.pk])
    decision_record(
        item=dual.items.get(record=secret),
        reviewer=second_reviewer,
        value="exclude",
        reason="Wrong population",
    )
    client.force_login(reviewer)

    assert _titles(client, dual, decision="exclude") == []
    assert _titles(client, dual, reviewer=second_reviewer.pk) == []
    assert _titles(client, dual, reason="Wrong population") == []
    client.force_login(lead)
    assert _titles(client, dual, decision="exclude") == ["Secretly excluded"]


def test_a_member_of_another_project_gets_404(client, listed):
    stranger = UserFactory(username="stranger")
    MembershipFactory(project=ProjectFactory(), user=stranger, role=Role.LEAD)
    client.force_login(stranger)
    url = reverse(
        "stage_records",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": listed["stage"].pk},
    )
    response = client.get(url, {"q": "Caseloads"})
    assert response.status_code == 404
    assert "Caseloads and job search" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_a_filtered_list_reads_a_fixed_number_of_queries(
    client, lead, listed, count, django_assert_max_num_queries
):
    for number in range(count):
        record_label_add(record=listed["records"]["caseload"], actor=lead, name=f"L{number}")
        record_label_add(record=listed["records"]["meetings"], actor=lead, name=f"L{number}")
    label = listed["records"]["meetings"].record_labels.first().label
    client.force_login(lead)
    url = reverse(
        "stage_records",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": listed["stage"].pk},
    )
    params = {"q": "e", "decision": "exclude", "label": label.pk, "source": listed["econlit"].pk}
    # The lead's list's 15 (see test_stage_records_list_query_count_does_not_grow), the chosen
    # label and source read back by the form's validation, the session's update: the same
    # at 1 and 3 labels per record.
    with django_assert_max_num_queries(18):
        response = client.get(url, params)
    assert response.content.decode().count('data-testid="item-label"') == count
