"""Free labels on records: one vocabulary per project, put on and taken off on the record's
page, the screening page and the API, each audited; not for peer reviewers or members of
other projects."""

import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry, Role
from screening.models import Label, RecordLabel
from screening.services.labels import record_label_add, record_label_remove
from screening.services.screening import stages_set_up
from tests.api.conftest import token_client, topic_url
from tests.factories.reviewapp import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def record(topic_area):
    return RecordFactory(source=SourceFactory(topic_area=topic_area), title="Labelled record")


def _kwargs(record, **more):
    return {"slug": "secret-review", "topic_key": "caseload", "record_id": record.pk, **more}


def test_a_name_in_another_case_is_the_same_label(record, topic_area, lead, reviewer):
    other = RecordFactory(source=record.source)

    first = record_label_add(record=record, actor=lead, name="  To  check ")
    second = record_label_add(record=other, actor=reviewer, name="to check")
    again = record_label_add(record=record, actor=reviewer, name="TO CHECK")

    assert first == second == again
    assert first.name == "To check"
    assert Label.objects.filter(project=topic_area.project).count() == 1
    assert RecordLabel.objects.filter(label=first).count() == 2
    # Putting a label on twice is audited once.
    assert list(
        AuditEntry.objects.filter(action="record.label_add").values_list("after", flat=True)
    ) == [{"label": "To check"}, {"label": "To check"}]


def test_remove_takes_the_label_off_and_audits(record, lead):
    label = record_label_add(record=record, actor=lead, name="Kids")

    record_label_remove(record=record, actor=lead, label=label)

    assert not RecordLabel.objects.exists()
    assert Label.objects.filter(pk=label.pk).exists()  # the vocabulary keeps it
    entry = AuditEntry.objects.get(action="record.label_remove")
    assert (entry.object_id, entry.before) == (str(record.pk), {"label": "Kids"})


def test_labels_on_the_history_page_add_and_remove(client, reviewer, record):
    client.force_login(reviewer)
    history = reverse("record_history", kwargs=_kwargs(record))

    added = client.post(
        reverse("record_label_add", kwargs=_kwargs(record)), {"name": "Kids", "next": history}
    )
    assert (added.status_code, added["Location"]) == (302, history)
    body = client.get(history).content.decode()
    assert 'data-testid="record-label">Kids' in body
    assert "labelled" in body  # the audit entry, in words

    label = Label.objects.get(name="Kids")
    removed = client.post(
        reverse("record_label_remove", kwargs=_kwargs(record, label_id=label.pk)),
        {"next": "https://evil.example/"},
    )
    assert removed["Location"] == history  # not off-site
    assert 'data-testid="record-label">' not in client.get(history).content.decode()


def test_the_screening_page_shows_the_labels_and_the_form(client, lead, reviewer, record):
    stage = stages_set_up(topic_area=record.topic_area, actor=lead, preset="two")[0]
    record_label_add(record=record, actor=lead, name="Kids")
    client.force_login(reviewer)

    body = client.get(
        reverse(
            "screen",
            kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": stage.pk},
        )
    ).content.decode()

    assert 'data-testid="record-label">Kids' in body
    assert 'data-testid="label-add-form"' in body
    assert '<option value="Kids">' in body


def test_peer_reviewer_sees_labels_but_may_not_change_them(client, lead, peer_reviewer, record):
    label = record_label_add(record=record, actor=lead, name="Kids")
    client.force_login(peer_reviewer)

    body = client.get(reverse("record_history", kwargs=_kwargs(record))).content.decode()
    added = client.post(reverse("record_label_add", kwargs=_kwargs(record)), {"name": "Mine"})
    removed = client.post(reverse("record_label_remove", kwargs=_kwargs(record, label_id=label.pk)))

    assert 'data-testid="record-label">Kids' in body
    assert 'data-testid="label-add-form"' not in body
    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(RecordLabel.objects.values_list("label__name", flat=True)) == ["Kids"]


def test_a_lead_of_another_project_gets_404(client, lead, record):
    label = record_label_add(record=record, actor=lead, name="Confidential label")
    stranger = UserFactory(username="stranger")
    MembershipFactory(project=ProjectFactory(), user=stranger, role=Role.LEAD)
    client.force_login(stranger)

    added = client.post(reverse("record_label_add", kwargs=_kwargs(record)), {"name": "Mine"})
    removed = client.post(reverse("record_label_remove", kwargs=_kwargs(record, label_id=label.pk)))

    assert (added.status_code, removed.status_code) == (404, 404)
    assert "Confidential label" not in added.content.decode() + removed.content.decode()
    assert RecordLabel.objects.count() == 1


def test_a_label_of_another_project_cannot_be_removed_through_this_one(client, lead, record):
    foreign = Label.objects.create(project=ProjectFactory(), name="Foreign")
    client.force_login(lead)
    url = reverse("record_label_remove", kwargs=_kwargs(record, label_id=foreign.pk))
    assert client.post(url).status_code == 404


def test_api_adds_and_removes_labels_by_name(reviewer, record, topic_area):
    api = token_client(reviewer)
    url = topic_url(topic_area, f"records/{record.pk}/labels/")

    added = api.post(url, {"name": "Kids"}, format="json")
    assert (added.status_code, added.json()["labels"]) == (200, ["Kids"])
    listed = api.get(topic_url(topic_area, "records/")).json()["results"]
    assert [row["labels"] for row in listed] == [["Kids"]]

    unknown = api.post(url + "remove/", {"name": "Nope"}, format="json")
    removed = api.post(url + "remove/", {"name": "kids"}, format="json")
    assert unknown.status_code == 400
    assert (removed.status_code, removed.json()["labels"]) == (200, [])


@pytest.mark.parametrize("count", [1, 3])
def test_api_record_list_reads_labels_in_one_query(
    reviewer, record, topic_area, count, django_assert_max_num_queries
):
    for number in range(count):
        extra = RecordFactory(source=record.source)
        record_label_add(record=extra, actor=reviewer, name=f"Label {number}")
    api = token_client(reviewer)
    # Token, project and role, topic area, count, page, labels (and the session's writes):
    # the same at 1 and 3 labelled records.
    with django_assert_max_num_queries(9):
        response = api.get(topic_url(topic_area, "records/"))
    assert len(response.json()["results"]) == count + 1
