"""A lead's bulk actions on a filtered stage list: exclude with a reason, add a label; each
audited as one entry and undone whole, refused once a record changed since; leads only."""

import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry
from screening.models import BulkAction, RecordLabel, ScreeningItem
from screening.services.bulk import (
    BulkChanged,
    bulk_action_undo,
    records_bulk_exclude,
    records_bulk_label,
)
from screening.services.labels import record_label_add
from screening.services.screening import (
    conflict_resolve,
    decision_record,
    screening_item_reopen,
    stages_set_up,
)
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def stage(topic_area, lead, reviewer):
    source = SourceFactory(topic_area=topic_area)
    for title in ("Caseloads one", "Caseloads two", "Sanctions"):
        RecordFactory(source=source, title=title, abstract="")
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    decision_record(
        item=stage.items.get(record__title="Caseloads one"), reviewer=reviewer, value="include"
    )
    return stage


def _caseloads(stage):
    return stage.items.filter(record__title__startswith="Caseloads")


def test_bulk_exclude_resolves_the_listed_records_in_one_audit_entry(stage, lead):
    reason = stage.exclusion_reasons[0]
    next_stage = stage.topic_area.stages.get(position=stage.position + 1)
    assert next_stage.items.filter(record__title="Caseloads one").exists()

    bulk = records_bulk_exclude(stage=stage, actor=lead, items=_caseloads(stage), reason=reason)

    statuses = dict(_caseloads(stage).values_list("record__title", "status"))
    assert statuses == {"Caseloads one": "excluded", "Caseloads two": "excluded"}
    assert stage.items.get(record__title="Sanctions").status == "pending"
    assert not next_stage.items.filter(record__title="Caseloads one").exists()
    entry = AuditEntry.objects.get(action="records.bulk_exclude")
    assert entry.after == {"reason": reason, "stage": stage.name, "records": 2}
    assert not AuditEntry.objects.filter(action="screening.resolve").exists()
    assert len(bulk.rows) == 2


def test_undo_reverts_exactly_the_bulk_exclusion(stage, lead):
    bulk = records_bulk_exclude(
        stage=stage, actor=lead, items=_caseloads(stage), reason=stage.exclusion_reasons[0]
    )

    bulk_action_undo(bulk=bulk, actor=lead)

    statuses = dict(_caseloads(stage).values_list("record__title", "status"))
    assert statuses == {"Caseloads one": "included", "Caseloads two": "pending"}
    next_stage = stage.topic_area.stages.get(position=stage.position + 1)
    assert next_stage.items.filter(record__title="Caseloads one").exists()
    assert AuditEntry.objects.filter(action="records.bulk_undo").count() == 1
    with pytest.raises(BulkChanged):
        bulk_action_undo(bulk=bulk, actor=lead)


def test_undo_is_refused_once_a_record_changed_since(stage, lead):
    bulk = records_bulk_exclude(
        stage=stage, actor=lead, items=_caseloads(stage), reason=stage.exclusion_reasons[0]
    )
    item = stage.items.get(record__title="Caseloads two")
    screening_item_reopen(item=item, actor=lead)
    conflict_resolve(item=ScreeningItem.objects.get(pk=item.pk), actor=lead, value="include")

    with pytest.raises(BulkChanged):
        bulk_action_undo(bulk=bulk, actor=lead)

    assert stage.items.get(record__title="Caseloads one").status == "excluded"
    assert BulkAction.objects.get().undone_at is None


def test_bulk_label_and_its_undo_keep_labels_put_on_before(stage, lead):
    first = _caseloads(stage).order_by("pk").first().record
    record_label_add(record=first, actor=lead, name="Check")

    bulk = records_bulk_label(stage=stage, actor=lead, items=_caseloads(stage), name="check")
    assert RecordLabel.objects.filter(label__name="Check").count() == 2
    assert len(bulk.rows) == 1

    bulk_action_undo(bulk=bulk, actor=lead)
    assert list(RecordLabel.objects.values_list("record", flat=True)) == [first.pk]


def _url(name, stage, **more):
    return reverse(
        name,
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": stage.pk, **more},
    )


def test_lead_applies_to_the_filtered_list_and_undoes_from_the_page(client, lead, stage):
    client.force_login(lead)
    listed = client.get(_url("stage_records", stage), {"q": "caseloads"}).content.decode()
    assert "Act on all 2 records listed" in listed
    assert 'name="filters" value="q=caseloads"' in listed

    response = client.post(
        _url("bulk_apply", stage),
        {"filters": "q=caseloads", "kind": "exclude", "reason": stage.exclusion_reasons[0]},
    )

    assert response["Location"].endswith("?q=caseloads")
    assert _caseloads(stage).filter(status="excluded").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "2 records changed; undo it below." in page
    assert 'data-testid="bulk-undo"' in page
    bulk = BulkAction.objects.get()
    client.post(_url("bulk_undo", stage, bulk_id=bulk.pk), {"filters": "q=caseloads"})
    assert _caseloads(stage).filter(status="excluded").count() == 0


def test_reviewer_may_not_act_in_bulk(client, reviewer, stage):
    client.force_login(reviewer)
    listed = client.get(_url("stage_records", stage)).content.decode()
    response = client.post(
        _url("bulk_apply", stage), {"filters": "", "kind": "label", "name": "Mine"}
    )
    assert 'data-testid="bulk-actions"' not in listed
    assert response.status_code == 403
    assert not RecordLabel.objects.exists()


def test_a_lead_of_another_project_gets_404(client, stage, outsider):
    client.force_login(outsider)
    response = client.post(
        _url("bulk_apply", stage), {"filters": "", "kind": "label", "name": "Mine"}
    )
    assert response.status_code == 404
    assert not RecordLabel.objects.exists()
