"""Prioritised screening in the database: retraining after K decisions on commit,
idempotence, stale and failed rankings, the queue's order, the lead's switch and stop."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reviewapp.models import AuditEntry
from screening import queries
from screening.models import Ranking, Record, ScreeningItem, Stage
from screening.services import ranking as ranking_services
from screening.services.screening import decision_record, screening_next, stages_set_up
from tests.factories.screening import RecordFactory, SourceFactory
from tests.worker import wait_for

Status = ScreeningItem.Status

RELEVANT = "Caseworker meetings and job finding of unemployed job seekers {n}"
IRRELEVANT = "Root growth of wheat under drought in sandy soil {n}"


@pytest.fixture
def records(topic_area):
    source = SourceFactory(topic_area=topic_area)
    relevant = [
        RecordFactory(source=source, title=RELEVANT.format(n=n), abstract="Caseworkers.")
        for n in range(8)
    ]
    irrelevant = [
        RecordFactory(source=source, title=IRRELEVANT.format(n=n), abstract="Plant biology.")
        for n in range(24)
    ]
    return relevant, irrelevant


@pytest.fixture
def stage(topic_area, records, lead):
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    stage.topic_area.project = topic_area.project
    return stage


def _prioritise(stage, lead, capture):
    with capture(execute=True):
        return ranking_services.stage_order_set(stage=stage, actor=lead, order="prioritised")


def _decide(stage, record, reviewer, value, capture):
    item = ScreeningItem.objects.get(stage=stage, record=record)
    item.stage = stage
    with capture(execute=True) as callbacks:
        decision_record(item=item, reviewer=reviewer, value=value)
    return callbacks


def _pending_scores(stage):
    return dict(
        ScreeningItem.objects.filter(stage=stage, status=Status.PENDING).values_list(
            "record__title", "score"
        )
    )


def test_first_include_and_exclude_train_a_ranking_on_commit(
    stage, records, reviewer, lead, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)

    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    assert not Ranking.objects.exists()  # one kind of decision only: the order stays random
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)

    ranking = Ranking.objects.get()
    assert (ranking.status, ranking.labels, ranking.included, ranking.scored) == ("done", 2, 1, 30)
    scores = _pending_scores(stage)
    assert min(v for k, v in scores.items() if "Caseworker" in k) > max(
        v for k, v in scores.items() if "wheat" in k
    )


def test_retrain_waits_for_k_decisions_and_then_runs(
    stage, records, reviewer, lead, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    Stage.objects.filter(pk=stage.pk).update(retrain_every=3)
    stage.refresh_from_db()
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    assert Ranking.objects.count() == 1

    stage.refresh_from_db()
    for record in irrelevant[1:3]:
        assert _decide(stage, record, reviewer, "exclude", django_capture_on_commit_callbacks) == []
        stage.refresh_from_db()
    assert Ranking.objects.count() == 1  # 2 of 3
    _decide(stage, irrelevant[3], reviewer, "exclude", django_capture_on_commit_callbacks)

    assert list(Ranking.objects.values_list("labels", flat=True)) == [5, 2]


def test_an_include_asks_for_a_retrain_before_k(
    stage, records, reviewer, lead, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    stage.refresh_from_db()

    _decide(stage, relevant[1], reviewer, "include", django_capture_on_commit_callbacks)

    assert list(Ranking.objects.values_list("labels", flat=True)) == [3, 2]


def test_random_order_stage_never_trains(
    stage, records, reviewer, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records

    for record in [relevant[0], *irrelevant[:12]]:
        value = "include" if record in relevant else "exclude"
        assert _decide(stage, record, reviewer, value, django_capture_on_commit_callbacks) == []

    assert not Ranking.objects.exists()


def test_retrain_is_idempotent(stage, records, reviewer, lead, django_capture_on_commit_callbacks):
    relevant, irrelevant = records
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    first = ranking_services.ranking_retrain(stage=stage)
    scores = _pending_scores(stage)

    again = ranking_services.ranking_retrain(stage=stage)

    assert again.pk == first.pk
    assert Ranking.objects.count() == 1
    assert _pending_scores(stage) == scores


def test_stale_ranking_finishing_after_a_newer_one_writes_nothing(
    stage, records, reviewer, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    # A ranking that learned from more decisions has already finished.
    Ranking.objects.create(stage=stage, signature="newer", labels=50, status="done")
    before = _pending_scores(stage)

    stale = ranking_services.ranking_retrain(stage=stage)

    assert stale.status == Ranking.Status.SUPERSEDED
    assert _pending_scores(stage) == before
    assert ranking_services.latest_ranking(stage).signature == "newer"


def test_failed_retrain_keeps_the_previous_scores_and_the_queue(
    stage, records, reviewer, second_reviewer, lead, settings, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    relevant, irrelevant = records
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    before = _pending_scores(stage)
    # The features cannot be stored: MEDIA_ROOT is a file, not a folder.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = str(blocked)
    stage.refresh_from_db()

    _decide(stage, relevant[1], reviewer, "include", django_capture_on_commit_callbacks)

    failed = Ranking.objects.order_by("-id").first()
    assert failed.status == Ranking.Status.FAILED
    assert "Error" in failed.error
    assert ranking_services.latest_ranking(stage).labels == 2
    after = _pending_scores(stage)
    assert {k: v for k, v in after.items() if k in before} == {
        k: v for k, v in before.items() if k in after
    }
    item = screening_next(stage=stage, reviewer=second_reviewer)
    assert item is not None and "Caseworker" in item.record.title


def test_prioritised_queue_hands_out_the_highest_score_and_random_order_ignores_it(
    stage, records, reviewer, second_reviewer, lead
):
    relevant, irrelevant = records
    top = ScreeningItem.objects.get(stage=stage, record=irrelevant[5])
    ScreeningItem.objects.filter(pk=top.pk).update(score=0.99)
    random_first = (
        ScreeningItem.objects.filter(stage=stage).order_by("order_key", "id").first().record
    )

    assert screening_next(stage=stage, reviewer=reviewer).record == random_first
    stage = ranking_services.stage_order_set(stage=stage, actor=lead, order="prioritised")
    assert screening_next(stage=stage, reviewer=second_reviewer).pk == top.pk


def test_order_switch_is_audited(stage, lead):
    ranking_services.stage_order_set(stage=stage, actor=lead, order="prioritised")

    entry = AuditEntry.objects.get(action="stage.order")
    assert (entry.before, entry.after) == (
        {"queue_order": "random"},
        {"queue_order": "prioritised"},
    )


def test_stop_empties_the_queue_and_the_flow_names_the_rule(
    stage, records, reviewer, lead, topic_area, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    ranking_services.stage_stopping_set(
        stage=stage, actor=lead, rule="irrelevant_streak", threshold=50
    )

    stopped = ranking_services.stage_stop(stage=stage, actor=lead)

    assert screening_next(stage=stopped, reviewer=reviewer) is None
    entry = AuditEntry.objects.get(action="stage.stop")
    # Named in the project's language (Danish here), as the stage names are.
    assert entry.after["rule"] == "50 irrelevante poster i træk"
    assert entry.after["unscreened"] == 30
    counts, undecided = queries.topic_area_flow(topic_area)
    screened = counts.stages[0]
    assert (screened.screened.value, screened.excluded.value) == (32, 31)
    assert screened.excluded_by_rule.value == 30
    # The diagram names it in the reader's language, as its own labels.
    assert screened.stopping_rule == "50 irrelevant records in a row"
    with translation.override("da"):
        counts, _undecided = queries.topic_area_flow(topic_area)
    assert counts.stages[0].stopping_rule == "50 irrelevante poster i træk"
    assert undecided[stage.name] == 0
    progress = queries.stage_progress(stopped, reviewer)
    assert (progress["settled"], progress["total"], progress["percent"]) == (32, 32, 100)


def test_a_stopped_stage_keeps_its_rule_until_resumed(stage, lead):
    stopped = ranking_services.stage_stop(stage=stage, actor=lead)

    with pytest.raises(ValidationError, match="resume it to change the rule"):
        ranking_services.stage_stopping_set(stage=stopped, actor=lead, rule="estimate", threshold=1)
    resumed = ranking_services.stage_resume(stage=stopped, actor=lead)
    changed = ranking_services.stage_stopping_set(
        stage=resumed, actor=lead, rule="estimate", threshold=1
    )

    assert (changed.stopping_rule, changed.stopping_threshold) == ("estimate", 1)
    assert changed.stopping_rule_label() == "fewer than 1 relevant records estimated left"


def test_resume_puts_the_records_back_in_the_queue(stage, reviewer, lead, topic_area):
    stopped = ranking_services.stage_stop(stage=stage, actor=lead)

    resumed = ranking_services.stage_resume(stage=stopped, actor=lead)

    assert screening_next(stage=resumed, reviewer=reviewer) is not None
    assert queries.topic_area_flow(topic_area)[0].stages[0].excluded_by_rule is None
    assert AuditEntry.objects.filter(action="stage.resume").count() == 1


def test_stopping_rule_is_validated(stage, lead):
    with pytest.raises(Exception, match="recall target"):
        ranking_services.stage_stopping_set(
            stage=stage, actor=lead, rule="recall_test", threshold=95
        )


def test_dual_stage_learns_only_from_agreed_records(
    stage, records, reviewer, second_reviewer, lead, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    Stage.objects.filter(pk=stage.pk).update(reviewers_required=2)
    stage.refresh_from_db()
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    assert not Ranking.objects.exists()  # nothing agreed yet

    _decide(stage, relevant[0], second_reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], second_reviewer, "exclude", django_capture_on_commit_callbacks)

    assert Ranking.objects.get().labels == 2


def test_dashboard_figures_follow_the_decisions(
    stage, records, reviewer, django_capture_on_commit_callbacks
):
    relevant, irrelevant = records
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    for record in irrelevant[:4]:
        _decide(stage, record, reviewer, "exclude", django_capture_on_commit_callbacks)

    figures = queries.stage_prioritisation(stage)

    assert figures["in_order"] == [True, False, False, False, False]
    assert (figures["found"], figures["screened"], figures["unscreened"]) == (1, 5, 27)
    assert figures["estimate"].remaining == pytest.approx(1 / 5 * 27)
    assert figures["streak"] == 4


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_retrains_after_decisions(celery_worker, records, topic_area, lead, reviewer):
    relevant, irrelevant = records
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    stage = ranking_services.stage_order_set(stage=stage, actor=lead, order="prioritised")
    for record, value in [(relevant[0], "include"), (irrelevant[0], "exclude")]:
        item = ScreeningItem.objects.get(stage=stage, record=record)
        item.stage = stage
        decision_record(item=item, reviewer=reviewer, value=value)

    ranking = wait_for(lambda: Ranking.objects.filter(stage=stage, status="done").first())

    assert ranking.labels == 2
    item = screening_next(stage=stage, reviewer=reviewer)
    assert "Caseworker" in item.record.title


def test_the_head_of_a_large_stage_is_stored_in_the_look_aheads_order(
    topic_area, lead, reviewer, django_capture_on_commit_callbacks
):
    # 1,500 records: consecutive ranks differ by less than 0.001, so three digits would
    # store the head's order as ties (and the queue would break them at random).
    source = SourceFactory(topic_area=topic_area)
    words = ["caseworker", "meeting", "wheat", "soil", "job", "seeker", "drought", "training"]
    Record.objects.bulk_create(
        Record(
            topic_area=topic_area,
            source=source,
            position=n,
            title=f"{words[n % 8]} {words[n % 5]} {words[n % 3]} study {n}",
        )
        for n in range(1500)
    )
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]
    stage.topic_area.project = topic_area.project
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    first, second = Record.objects.filter(source=source).order_by("position")[:2]
    _decide(stage, first, reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, second, reviewer, "exclude", django_capture_on_commit_callbacks)

    head = sorted(_pending_scores(stage).values(), reverse=True)[: stage.retrain_every]

    assert Ranking.objects.filter(stage=stage, status="done").exists()
    assert len(set(head)) == stage.retrain_every  # strictly in order, no ties


@pytest.mark.parametrize(
    ("new", "old", "written"),
    [
        (0.5, -1.0, True),  # never scored
        (0.99991, 0.99992, True),  # the head: exact
        (0.9, 0.99992, True),  # left the head
        (0.9502, 0.9500, False),  # the top tenth: within 0.0005
        (0.9506, 0.9500, True),
        (0.505, 0.5, False),  # below: within 0.01
        (0.52, 0.5, True),
    ],
)
def test_which_scores_are_worth_writing(new, old, written):
    assert ranking_services._worth_writing(new, old, head_floor=0.9999) is written


def test_kept_features_are_read_back_as_computed_and_damaged_ones_computed_again(
    stage, records, reviewer, lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    from pathlib import Path

    settings.MEDIA_ROOT = str(tmp_path)
    relevant, irrelevant = records
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)
    rows = list(
        stage.items.filter(record__canonical__isnull=True)
        .order_by("id")
        .values_list("id", "status", "score", "record_id")
    )
    (kept,) = (Path(tmp_path) / "ranking").glob(f"stage-{stage.pk}-*")
    assert sorted(path.name for path in kept.iterdir()) == [
        "data.npy",
        "indices.npy",
        "indptr.npy",
        "shape.npy",
    ]

    loaded = ranking_services._stage_features(stage, rows).copy()  # off the mapped files
    (kept_again,) = (Path(tmp_path) / "ranking").glob(f"stage-{stage.pk}-*")
    assert kept_again == kept  # read, not computed and kept again
    assert loaded.has_sorted_indices
    # Damaged (a new file, as any write here makes: a mapped one is never written over).
    (kept / "indptr.npy").unlink()
    (kept / "indptr.npy").write_bytes(b"damaged")
    recomputed = ranking_services._stage_features(stage, rows)

    assert loaded.shape == recomputed.shape == (len(rows), loaded.shape[1])
    assert loaded.nnz > 0
    assert (loaded != recomputed).nnz == 0
    assert (kept / "indptr.npy").read_bytes() != b"damaged"


def _kept_features(media_root, stage):
    from pathlib import Path

    return sorted((Path(media_root) / "ranking").glob(f"stage-{stage.pk}-*"))


def test_switching_to_prioritised_keeps_the_features_before_any_decision(
    stage, records, reviewer, lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    assert _kept_features(tmp_path, stage) == []

    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)

    (kept,) = _kept_features(tmp_path, stage)
    written = {path.name: path.stat().st_mtime_ns for path in kept.iterdir()}
    relevant, irrelevant = records
    _decide(stage, relevant[0], reviewer, "include", django_capture_on_commit_callbacks)
    _decide(stage, irrelevant[0], reviewer, "exclude", django_capture_on_commit_callbacks)

    assert Ranking.objects.get().status == "done"
    assert _kept_features(tmp_path, stage) == [kept]  # the first retrain read them
    assert {path.name: path.stat().st_mtime_ns for path in kept.iterdir()} == written


def test_an_import_into_a_prioritised_stage_keeps_the_new_record_sets_features(
    stage, topic_area, lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    from screening.services.imports import import_job_create
    from tests.screening.conftest import STUDIES, ris_text, upload

    settings.MEDIA_ROOT = str(tmp_path)
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    (before,) = _kept_features(tmp_path, stage)

    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(
            topic_area=topic_area,
            actor=lead,
            upload=upload("econlit.ris", ris_text(STUDIES)),
            source_name="EconLit",
        )

    (after,) = _kept_features(tmp_path, stage)
    assert after != before  # the new record set's, the old set's dropped
    rows = ranking_services._stage_rows(stage)
    assert len(rows) == 32 + len(STUDIES)
    assert ranking_services._stage_features(stage, rows).shape[0] == len(rows)
    assert _kept_features(tmp_path, stage) == [after]  # read back, not computed again


def test_an_undone_merge_leaves_the_features_to_the_next_retrain(
    stage, topic_area, lead, settings, tmp_path, django_capture_on_commit_callbacks
):
    # Undoing merges or restoring sources from the bin changes the record set too, one
    # change at a time: each would compute the features again, so none asks for them.
    from screening.services.screening import topic_area_enter_new_records

    settings.MEDIA_ROOT = str(tmp_path)
    stage = _prioritise(stage, lead, django_capture_on_commit_callbacks)
    (before,) = _kept_features(tmp_path, stage)
    RecordFactory(source=SourceFactory(topic_area=topic_area), title="Job clubs for youth")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert topic_area_enter_new_records(topic_area=topic_area) == 1

    assert callbacks == []
    assert _kept_features(tmp_path, stage) == [before]


def test_a_random_order_stage_keeps_no_features(
    stage, topic_area, settings, tmp_path, django_capture_on_commit_callbacks
):
    from screening.services.screening import topic_area_enter_new_records

    settings.MEDIA_ROOT = str(tmp_path)
    RecordFactory(source=SourceFactory(topic_area=topic_area), title="Job clubs for youth")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert topic_area_enter_new_records(topic_area=topic_area) == 1

    assert callbacks == []
    assert _kept_features(tmp_path, stage) == []
