"""Correcting a record: the service keeps every earlier version and audits the change, a
stale edit is refused, the history page shows both versions, the API PATCHes through the
same service; reviewers of other projects and peer reviewers may not."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviewapp.models import AuditEntry, Role
from reviewapp.versioning import EditConflict
from screening.models import Record, RecordVersion
from screening.services.records import record_update
from screening.services.screening import stages_set_up
from tests.api.conftest import token_client, topic_url
from tests.factories.reviewapp import MembershipFactory, ProjectFactory, UserFactory
from tests.factories.screening import RecordFactory, SourceFactory

OLD_ABSTRACT = "A secret abstract about caseloads and unemployment."
NEW_ABSTRACT = "Lower caseloads shortened unemployment by two weeks."


@pytest.fixture
def record(topic_area):
    return RecordFactory(
        source=SourceFactory(topic_area=topic_area),
        title="Confidential record to correct",
        abstract=OLD_ABSTRACT,
        doi="",
    )


def _edit_url(record):
    return reverse(
        "record_edit",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "record_id": record.pk},
    )


def _history_url(record):
    return reverse(
        "record_history",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "record_id": record.pk},
    )


def _form_data(record, **changes):
    data = {
        "title": record.title,
        "abstract": record.abstract,
        "authors": "\n".join(record.authors),
        "year": record.year or "",
        "journal": record.journal,
        "keywords": "; ".join(record.keywords),
        "version": record.version,
    }
    return {**data, **changes}


def test_record_update_keeps_the_earlier_version_and_audits(record, lead):
    saved = record_update(
        record=record, actor=lead, expected_version=1, abstract=NEW_ABSTRACT, year=2017
    )

    saved.refresh_from_db()
    assert (saved.abstract, saved.year, saved.version) == (NEW_ABSTRACT, 2017, 2)
    kept = RecordVersion.objects.get(record=record)
    assert (kept.version, kept.replaced_by) == (1, lead)
    assert (kept.fields["abstract"], kept.fields["year"]) == (OLD_ABSTRACT, 2016)
    entry = AuditEntry.objects.get(action="record.update")
    assert entry.object_id == str(record.pk)
    assert (entry.before["abstract"], entry.after["abstract"]) == (OLD_ABSTRACT, NEW_ABSTRACT)


def test_record_update_from_a_stale_version_changes_nothing(record, lead, reviewer):
    record_update(record=record, actor=lead, expected_version=1, abstract=NEW_ABSTRACT)

    with pytest.raises(EditConflict):
        record_update(record=record, actor=reviewer, expected_version=1, abstract="Overwritten")

    record.refresh_from_db()
    assert (record.abstract, record.version) == (NEW_ABSTRACT, 2)
    assert RecordVersion.objects.filter(record=record).count() == 1


def test_record_update_normalises_the_doi_and_refuses_a_non_doi(record, lead):
    saved = record_update(
        record=record, actor=lead, expected_version=1, doi="https://doi.org/10.1000/ABC."
    )
    assert saved.doi == "10.1000/abc"

    with pytest.raises(ValidationError) as error:
        record_update(record=record, actor=lead, expected_version=2, doi="not a doi")
    assert "doi" in error.value.error_dict
    record.refresh_from_db()
    assert record.doi == "10.1000/abc"


def test_a_corrected_text_forgets_the_ranking_features(
    record, lead, topic_area, django_capture_on_commit_callbacks
):
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    cached = Path(settings.MEDIA_ROOT) / "ranking" / f"stage-{stage.pk}-0123456789abcdef"
    cached.mkdir(parents=True, exist_ok=True)
    (cached / "data.npy").write_bytes(b"features")

    with django_capture_on_commit_callbacks(execute=True):
        record_update(record=record, actor=lead, expected_version=1, abstract=NEW_ABSTRACT)

    assert not cached.exists()


def test_lead_corrects_the_abstract_and_the_history_shows_both_versions(client, lead, record):
    client.force_login(lead)
    form = client.get(_edit_url(record)).content.decode()
    assert OLD_ABSTRACT in form and 'name="version" value="1"' in form

    response = client.post(_edit_url(record), _form_data(record, abstract=NEW_ABSTRACT))

    assert response.status_code == 302
    assert response["Location"] == _history_url(record)
    body = client.get(_history_url(record)).content.decode()
    versions = body.split('data-testid="history-versions"')[1].split("</section>")[0]
    assert "Version 2 (current)." in versions
    assert "Version 1 (as imported)" in versions
    assert f'data-testid="version-old">{OLD_ABSTRACT}<' in versions
    assert f'data-testid="version-new">{NEW_ABSTRACT}<' in versions
    assert "Corrected by lead" in versions
    assert "corrected the record" in body  # the audit entry, in words


def test_a_stale_form_is_refused_with_the_conflict_message(client, lead, reviewer, record):
    record_update(record=record, actor=reviewer, expected_version=1, abstract=NEW_ABSTRACT)
    client.force_login(lead)

    response = client.post(_edit_url(record), _form_data(record, abstract="Lead's version"))

    assert response.status_code == 400
    assert "Someone else saved this in the meantime" in response.content.decode()
    record.refresh_from_db()
    assert record.abstract == NEW_ABSTRACT


def test_reviewer_may_correct_from_the_screening_page(client, reviewer, lead, record, topic_area):
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    client.force_login(reviewer)
    screen = client.get(
        reverse(
            "screen",
            kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": stage.pk},
        )
    ).content.decode()
    assert f'href="{_edit_url(record)}" data-testid="record-edit-link"' in screen

    response = client.post(_edit_url(record), _form_data(record, title="Corrected title"))

    assert response.status_code == 302
    assert Record.objects.get(pk=record.pk).title == "Corrected title"


def test_peer_reviewer_sees_no_edit_link_and_may_not_correct(client, peer_reviewer, record):
    client.force_login(peer_reviewer)
    history = client.get(_history_url(record)).content.decode()
    assert 'data-testid="record-edit-link"' not in history

    assert client.get(_edit_url(record)).status_code == 403
    assert client.post(_edit_url(record), _form_data(record, title="X")).status_code == 403
    assert Record.objects.get(pk=record.pk).title == "Confidential record to correct"


def test_reviewer_of_another_project_gets_404_and_changes_nothing(client, record):
    stranger = UserFactory(username="stranger")
    MembershipFactory(project=ProjectFactory(), user=stranger, role=Role.LEAD)
    client.force_login(stranger)

    page = client.get(_edit_url(record))
    posted = client.post(_edit_url(record), _form_data(record, title="Stolen"))

    assert (page.status_code, posted.status_code) == (404, 404)
    assert "Confidential record to correct" not in page.content.decode()
    assert Record.objects.get(pk=record.pk).title == "Confidential record to correct"
    assert not RecordVersion.objects.exists()


def test_api_patch_corrects_the_record_through_the_service(reviewer, record, topic_area):
    api = token_client(reviewer)
    url = topic_url(topic_area, f"records/{record.pk}/")

    response = api.patch(
        url, {"abstract": NEW_ABSTRACT, "authors": ["Cheung, Maria"], "version": 1}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["abstract"], body["authors"], body["version"]) == (
        NEW_ABSTRACT,
        ["Cheung, Maria"],
        2,
    )
    assert RecordVersion.objects.get(record=record).fields["abstract"] == OLD_ABSTRACT
    assert AuditEntry.objects.filter(action="record.update", actor=reviewer).count() == 1


def test_api_patch_by_a_member_of_another_project_is_404(record, topic_area):
    stranger = UserFactory(username="stranger")
    MembershipFactory(project=ProjectFactory(), user=stranger, role=Role.REVIEWER)

    response = token_client(stranger).patch(
        topic_url(topic_area, f"records/{record.pk}/"), {"title": "Stolen", "version": 1}
    )

    assert response.status_code == 404
    assert "Confidential record" not in response.content.decode()
    assert Record.objects.get(pk=record.pk).version == 1
