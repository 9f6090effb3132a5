"""Screening services: stages, queue claims, decisions in single and dual mode,
conflicts, undo and reopening."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from screening.models import Claim, Decision, ScreeningItem, Stage
from screening.services.duplicates import duplicate_pair_confirm, record_unmerge
from screening.services.imports import import_job_create
from screening.services.screening import (
    ScreeningClosed,
    conflict_resolve,
    decision_record,
    decision_undo,
    screening_decide,
    screening_item_reopen,
    screening_next,
    stage_has_reviewer,
    stage_update,
    stages_set_up,
)
from tests.factories.screening import RecordFactory, SourceFactory

Status = ScreeningItem.Status


@pytest.fixture
def source(topic_area):
    return SourceFactory(topic_area=topic_area)


@pytest.fixture
def records(source):
    return [RecordFactory(source=source) for _ in range(4)]


REASONS = ["Wrong population", "Wrong outcome"]


@pytest.fixture
def stages(topic_area, records, lead):
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    Stage.objects.filter(topic_area=topic_area).update(exclusion_reasons=REASONS)
    for stage in stages:
        stage.refresh_from_db()
    return stages


def _dual(stage: Stage) -> Stage:
    Stage.objects.filter(pk=stage.pk).update(reviewers_required=2)
    stage.refresh_from_db()
    return stage


def _item(stage, record) -> ScreeningItem:
    return ScreeningItem.objects.get(stage=stage, record=record)


def _decide(stage, record, reviewer, value, reason=""):
    return decision_record(item=_item(stage, record), reviewer=reviewer, value=value, reason=reason)


def test_set_up_creates_the_preset_and_queues_every_unique_record(topic_area, records, lead):
    duplicate = RecordFactory(source=records[0].source, canonical=records[0])

    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")

    assert [stage.kind for stage in stages] == ["title", "abstract", "fulltext"]
    assert [stage.name for stage in stages] == ["Titel", "Titel og resumé", "Fuldtekst"]
    assert stages[2].reason_required and not stages[0].reason_required
    queued = set(stages[0].items.values_list("record_id", flat=True))
    assert queued == {record.pk for record in records}
    assert duplicate.pk not in queued
    assert AuditEntry.objects.filter(action="stages.set_up").count() == 1


def test_two_stage_preset_and_no_replacement_after_the_first_decision(
    topic_area, records, lead, reviewer
):
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    assert [stage.kind for stage in stages] == ["abstract", "fulltext"]
    _decide(stages[0], records[0], reviewer, "include")

    with pytest.raises(ValidationError, match="Screening has started"):
        stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    assert topic_area.stages.count() == 2


def test_single_mode_include_moves_the_record_on_and_exclude_keeps_the_reason(
    stages, records, reviewer
):
    title, abstract, _fulltext = stages
    _decide(title, records[0], reviewer, "include")
    _decide(title, records[1], reviewer, "exclude", reason="Wrong population")

    assert _item(title, records[0]).status == Status.INCLUDED
    assert abstract.items.filter(record=records[0], status=Status.PENDING).exists()
    excluded = _item(title, records[1])
    assert (excluded.status, excluded.exclusion_reason) == (Status.EXCLUDED, "Wrong population")
    assert not abstract.items.filter(record=records[1]).exists()


def test_maybe_parks_the_record_and_a_later_decision_settles_it(stages, records, reviewer):
    title = stages[0]
    _decide(title, records[0], reviewer, "maybe")
    assert _item(title, records[0]).status == Status.MAYBE
    assert screening_next(stage=title, reviewer=reviewer).record != records[0]

    _decide(title, records[0], reviewer, "include")

    assert _item(title, records[0]).status == Status.INCLUDED
    assert Decision.objects.filter(item__record=records[0]).count() == 1
    assert AuditEntry.objects.filter(action="decision.change").count() == 1


def test_full_text_exclusion_needs_one_of_the_stage_reasons(stages, records, reviewer):
    title, abstract, fulltext = stages
    for stage in (title, abstract):
        _decide(stage, records[0], reviewer, "include")

    with pytest.raises(ValidationError, match="needs a reason"):
        _decide(fulltext, records[0], reviewer, "exclude")
    with pytest.raises(ValidationError, match="not one of this stage's reasons"):
        _decide(fulltext, records[0], reviewer, "exclude", reason="I did not like it")
    with pytest.raises(ValidationError, match="Only an exclusion"):
        _decide(fulltext, records[0], reviewer, "include", reason="Wrong outcome")
    assert not Decision.objects.filter(item__stage=fulltext).exists()


def test_dual_mode_waits_for_both_and_agreement_decides(stages, records, reviewer, second_reviewer):
    title = _dual(stages[0])
    _decide(title, records[0], reviewer, "include")
    assert _item(title, records[0]).status == Status.PENDING
    assert not stages[1].items.filter(record=records[0]).exists()

    _decide(title, records[0], second_reviewer, "include")
    assert _item(title, records[0]).status == Status.INCLUDED
    assert stages[1].items.filter(record=records[0]).exists()

    _decide(title, records[1], reviewer, "exclude", reason="Wrong population")
    _decide(title, records[1], second_reviewer, "exclude", reason="Wrong outcome")
    excluded = _item(title, records[1])
    assert excluded.status == Status.EXCLUDED
    assert excluded.exclusion_reason == "Wrong population; Wrong outcome"


@pytest.mark.parametrize(("first", "second"), [("include", "exclude"), ("include", "maybe")])
def test_dual_mode_disagreement_or_maybe_is_a_conflict(
    stages, records, reviewer, second_reviewer, first, second
):
    title = _dual(stages[0])
    _decide(title, records[0], reviewer, first)
    _decide(title, records[0], second_reviewer, second)
    assert _item(title, records[0]).status == Status.CONFLICT


def test_dual_mode_a_third_reviewer_is_refused(stages, records, reviewer, second_reviewer, lead):
    title = _dual(stages[0])
    _decide(title, records[0], reviewer, "include")
    _decide(title, records[0], second_reviewer, "include")
    with pytest.raises(ScreeningClosed, match="already has the decisions"):
        _decide(title, records[0], lead, "exclude")


def test_lead_resolves_a_conflict_and_the_record_moves_on(
    stages, records, reviewer, second_reviewer, lead
):
    title = _dual(stages[0])
    _decide(title, records[0], reviewer, "include")
    _decide(title, records[0], second_reviewer, "exclude")

    item = conflict_resolve(
        item=_item(title, records[0]), actor=lead, value="include", note="Meets the criteria"
    )

    assert (item.status, item.resolved_by, item.resolution_note) == (
        Status.INCLUDED,
        lead,
        "Meets the criteria",
    )
    assert stages[1].items.filter(record=records[0]).exists()
    with pytest.raises(ScreeningClosed, match="resolved"):
        _decide(title, records[0], second_reviewer, "include")
    entry = AuditEntry.objects.get(action="screening.resolve")
    assert entry.before["status"] == "conflict" and entry.after["status"] == "included"


def test_reopen_withdraws_the_resolution_and_the_record_leaves_the_next_stage(
    stages, records, reviewer, second_reviewer, lead
):
    title = _dual(stages[0])
    _decide(title, records[0], reviewer, "include")
    _decide(title, records[0], second_reviewer, "exclude")
    conflict_resolve(item=_item(title, records[0]), actor=lead, value="include")

    item = screening_item_reopen(item=_item(title, records[0]), actor=lead)

    assert item.status == Status.CONFLICT and item.resolved_by is None
    assert not stages[1].items.filter(record=records[0]).exists()


def test_no_change_once_the_next_stage_has_decided(stages, records, reviewer, lead):
    title, abstract, _ = stages
    _decide(title, records[0], reviewer, "include")
    _decide(abstract, records[0], reviewer, "exclude")

    with pytest.raises(ScreeningClosed, match="moved on"):
        _decide(title, records[0], reviewer, "exclude")
    with pytest.raises(ScreeningClosed, match="later stage first"):
        screening_item_reopen(item=_item(title, records[0]), actor=lead)
    assert _item(title, records[0]).status == Status.INCLUDED


def test_changing_an_inclusion_takes_the_record_out_of_the_next_stage(stages, records, reviewer):
    title, abstract, _ = stages
    _decide(title, records[0], reviewer, "include")
    _decide(title, records[0], reviewer, "exclude")
    assert not abstract.items.filter(record=records[0]).exists()
    assert _item(title, records[0]).status == Status.EXCLUDED


def test_undo_takes_back_the_latest_decision_and_hands_the_record_back(stages, records, reviewer):
    title = stages[0]
    first = screening_next(stage=title, reviewer=reviewer)
    _decide(title, first.record, reviewer, "include")
    second = screening_next(stage=title, reviewer=reviewer)
    assert second.record != first.record

    undone = decision_undo(stage=title, reviewer=reviewer)

    assert undone.pk == first.pk and undone.status == Status.PENDING
    assert not stages[1].items.filter(record=first.record).exists()
    assert screening_next(stage=title, reviewer=reviewer).pk == first.pk
    assert AuditEntry.objects.get(action="decision.undo").before["value"] == "include"
    assert decision_undo(stage=title, reviewer=reviewer) is None


def test_single_mode_two_reviewers_are_never_handed_the_same_record(
    stages, records, reviewer, second_reviewer
):
    title = stages[0]
    first = screening_next(stage=title, reviewer=reviewer)
    second = screening_next(stage=title, reviewer=second_reviewer)
    assert first.pk != second.pk
    # Asking again (a reload) gives each their own record back.
    assert screening_next(stage=title, reviewer=reviewer).pk == first.pk


def test_dual_mode_two_reviewers_get_the_same_record_but_a_third_does_not(
    stages, records, reviewer, second_reviewer, lead
):
    title = _dual(stages[0])
    first = screening_next(stage=title, reviewer=reviewer)
    second = screening_next(stage=title, reviewer=second_reviewer)
    third = screening_next(stage=title, reviewer=lead)
    assert first.pk == second.pk
    assert third.pk != first.pk


def test_expired_claims_free_the_record(stages, records, reviewer, second_reviewer):
    title = stages[0]
    first = screening_next(stage=title, reviewer=reviewer)
    Claim.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert screening_next(stage=title, reviewer=second_reviewer).pk == first.pk


def test_queue_runs_dry_when_everything_is_decided(stages, records, reviewer):
    title = stages[0]
    while item := screening_next(stage=title, reviewer=reviewer):
        _decide(title, item.record, reviewer, "exclude")
    assert title.items.filter(status=Status.EXCLUDED).count() == len(records)


def test_decide_moves_the_reviewers_claim_to_the_next_record(stages, records, reviewer):
    title = stages[0]
    item = screening_next(stage=title, reviewer=reviewer)
    handed = [item.pk]
    while item is not None:
        item = screening_decide(stage=title, item_id=item.pk, reviewer=reviewer, value="exclude")
        claims = list(Claim.objects.values_list("item_id", "reviewer_id"))
        # One claim, on the record handed out; none once the queue has run dry.
        assert claims == ([(item.pk, reviewer.pk)] if item else [])
        if item is not None:
            handed.append(item.pk)
    assert sorted(handed) == sorted(title.items.values_list("pk", flat=True))
    assert title.items.filter(status=Status.EXCLUDED).count() == len(records)


def test_decide_at_a_dual_stage_hands_on_another_record_and_frees_this_one(
    stages, records, reviewer, second_reviewer, lead
):
    title = _dual(stages[0])
    first = screening_next(stage=title, reviewer=reviewer)

    after = screening_decide(stage=title, item_id=first.pk, reviewer=reviewer, value="include")

    assert after.pk != first.pk
    assert _item(title, first.record).status == Status.PENDING
    # Still one decision short, and nobody claims it now: the next reviewer gets it.
    assert screening_next(stage=title, reviewer=second_reviewer).pk == first.pk
    assert screening_next(stage=title, reviewer=lead).pk != first.pk


def test_decide_keeps_the_reviewers_claim_on_another_pending_record(stages, records, reviewer):
    title = stages[0]
    claimed = screening_next(stage=title, reviewer=reviewer)
    other = title.items.exclude(pk=claimed.pk).first()

    # The reviewer decides a record they were not handed (a link to it): their
    # claimed record comes back next, as a reload would show it.
    after = screening_decide(stage=title, item_id=other.pk, reviewer=reviewer, value="exclude")

    assert after.pk == claimed.pk
    assert list(Claim.objects.values_list("item_id", flat=True)) == [claimed.pk]


def test_decide_refuses_a_record_of_another_stage(stages, records, reviewer):
    title, abstract, _ = stages
    _decide(title, records[0], reviewer, "include")
    elsewhere = _item(abstract, records[0])
    with pytest.raises(ScreeningItem.DoesNotExist):
        screening_decide(stage=title, item_id=elsewhere.pk, reviewer=reviewer, value="exclude")
    assert not Decision.objects.filter(item=elsewhere).exists()


def test_stage_has_reviewer_is_the_chosen_or_every_lead_and_reviewer(
    stages, reviewer, second_reviewer, lead, peer_reviewer, outsider
):
    title = stages[0]
    everyone = [reviewer, second_reviewer, lead, peer_reviewer, outsider]
    allowed = {user.pk for user in everyone if stage_has_reviewer(title, user)}
    assert allowed == {reviewer.pk, second_reviewer.pk, lead.pk}

    title.reviewers.set([second_reviewer, peer_reviewer])
    allowed = {user.pk for user in everyone if stage_has_reviewer(title, user)}
    # Chosen reviewers only, even a peer reviewer (the role check refuses them elsewhere).
    assert allowed == {second_reviewer.pk, peer_reviewer.pk}


def test_reviewer_not_on_the_stage_cannot_decide(stages, records, reviewer, second_reviewer, lead):
    title = stages[0]
    title.reviewers.set([second_reviewer])
    with pytest.raises(PermissionDenied):
        _decide(title, records[0], reviewer, "include")
    with pytest.raises(PermissionDenied):
        _decide(title, records[0], lead, "include")
    _decide(title, records[0], second_reviewer, "include")


def test_peer_reviewer_cannot_decide(stages, records, peer_reviewer):
    with pytest.raises(PermissionDenied):
        _decide(stages[0], records[0], peer_reviewer, "include")
    assert not Decision.objects.exists()


def test_stage_structure_is_fixed_once_screening_started(stages, records, reviewer, lead):
    title = stages[0]
    stage_update(stage=title, actor=lead, expected_version=title.version, reviewers_required=2)
    title.refresh_from_db()
    assert title.reviewers_required == 2
    _decide(title, records[0], reviewer, "include")

    with pytest.raises(ValidationError, match="reviewers_required"):
        stage_update(stage=title, actor=lead, expected_version=title.version, reviewers_required=1)
    updated = stage_update(
        stage=title, actor=lead, expected_version=title.version, include_keywords=["caseload"]
    )
    assert updated.include_keywords == ["caseload"]


def test_stage_update_refuses_a_stale_version(stages, lead):
    title = stages[0]
    stage_update(stage=title, actor=lead, expected_version=1, name="Titler")
    with pytest.raises(EditConflict):
        stage_update(stage=title, actor=lead, expected_version=1, name="Overskrevet")
    title.refresh_from_db()
    assert title.name == "Titler"


def test_merging_away_an_unscreened_record_takes_it_out_of_the_queue(
    stages, records, reviewer, lead
):
    from screening.models import DuplicatePair

    _decide(stages[0], records[1], reviewer, "include")
    pair = DuplicatePair.objects.create(
        topic_area=records[0].topic_area, record_a=records[0], record_b=records[1], score=0.9
    )

    duplicate_pair_confirm(pair=pair, actor=lead)

    records[0].refresh_from_db()
    # The screened record stays canonical and keeps its decision.
    assert records[0].canonical_id == records[1].pk
    assert not stages[0].items.filter(record=records[0]).exists()
    assert _item(stages[0], records[1]).status == Status.INCLUDED

    record_unmerge(record=records[0], actor=lead)
    assert stages[0].items.filter(record=records[0], status=Status.PENDING).exists()


def test_records_imported_after_set_up_join_the_first_stage(
    stages, topic_area, lead, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ris = (
        "TY  - JOUR\nTI  - A late record about caseworkers and sanctions\nAU  - Late, Lena\n"
        "PY  - 2018\nER  - \n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(
            topic_area=topic_area,
            actor=lead,
            upload=SimpleUploadedFile("late.ris", ris.encode()),
            source_name="Snowballing",
        )

    assert stages[0].items.filter(record__title__startswith="A late record").exists()
