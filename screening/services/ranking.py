"""Prioritised screening: retraining a stage's ranking, the lead's order switch, stopping rule
and stop decision.

The model lives in `screening.ranking` (pure). Here: which decisions it learns from (a
record's final status at the stage: in dual mode only agreed or resolved records), when a
retrain is asked for (`ranking_request_if_due`, from the decision services; the Celery task
runs on commit), and how scores reach the queue (written to `ScreeningItem.score`, which
the queue orders by through an index: no model work in a request).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Sum, TextField
from django.db.models.functions import Cast, Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from reviewapp.tasking import enqueue_on_commit
from screening import ranking
from screening.models import Ranking, Record, ScreeningItem, Stage

logger = logging.getLogger(__name__)

LABELS = {ScreeningItem.Status.INCLUDED: True, ScreeningItem.Status.EXCLUDED: False}
# Scores are written in batches of this many rows, each in a short transaction of its own:
# a reviewer's queue skips locked rows, so one transaction over every pending row would
# show an empty queue for as long as it ran.
WRITE_BATCH = 500
# Scores are ranks in [0, 1]: six digits tell a million places apart (ties are broken by
# the random order key). Only the head of the queue is kept that exact: see _worth_writing.
SCORE_DIGITS = 6


def stage_label_counts(stage: Stage) -> tuple[int, int]:
    """(included, excluded) records at the stage: what a ranking learns from."""
    counts = stage.items.filter(status__in=list(LABELS)).aggregate(
        included=Count("id", filter=Q(status=ScreeningItem.Status.INCLUDED)),
        excluded=Count("id", filter=Q(status=ScreeningItem.Status.EXCLUDED)),
    )
    return counts["included"], counts["excluded"]


def ranking_request_if_due(*, stage: Stage, item: ScreeningItem) -> None:
    """After a decision (inside its transaction): ask for a retrain, on commit, when the
    stage is in prioritised order and at least `retrain_every` records have been settled
    since the last request, or the record has just been included (`ranking.retrain_due`);
    the first as soon as there is an include and an exclude.

    Costs nothing at a stage in random order or when the decision settled nothing (a first
    decision in dual mode, a maybe), one COUNT otherwise; the request itself is a
    compare-and-set on the stage, so of several reviewers crossing the mark at once only
    one enqueues.
    """
    if stage.queue_order != Stage.Order.PRIORITISED or item.status not in LABELS:
        return
    included, excluded = stage_label_counts(stage)
    labels = included + excluded
    seen = stage.ranking_requested_labels
    if not (included and excluded):
        return
    relevant = item.status == ScreeningItem.Status.INCLUDED
    if seen and not ranking.retrain_due(labels - seen, stage.retrain_every, relevant=relevant):
        return
    _request_on_commit(stage.pk, seen=seen, labels=labels)


def _request_on_commit(stage_id: int, *, seen: int | None, labels: int) -> None:
    """Enqueue the retrain once the transaction commits, if the stage's request mark is
    still `seen` (None: whatever it is)."""

    def request():
        requested = Stage.objects.filter(pk=stage_id)
        if seen is not None:
            requested = requested.filter(ranking_requested_labels=seen)
        if not requested.update(ranking_requested_labels=labels):
            return  # another reviewer's decision has just asked
        # Outside any transaction by now, so this sends at once; with the broker down the
        # mark goes back, and the next decisions ask again.
        enqueue_on_commit(
            "screening.tasks.ranking_retrain_task",
            stage_id=stage_id,
            on_failure=lambda: Stage.objects.filter(pk=stage_id).update(ranking_requested_labels=0),
        )

    transaction.on_commit(request, robust=True)


# ---------------------------------------------------------------------------------------------
# The retrain (the Celery task's one service).


def _features_path(stage: Stage, fingerprint: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "ranking" / f"stage-{stage.pk}-{fingerprint}"


def _records_fingerprint(stage: Stage, rows: list[tuple]) -> str:
    """Names the stage's record set and texts without reading the texts: the records (in
    item order) and the summed lengths of their titles, abstracts and keywords, counted by
    the database. An edit that keeps every length the same keeps the old features until
    the next change of the set: a slightly stale vocabulary, never a wrong record."""
    lengths = stage.items.filter(record__canonical__isnull=True).aggregate(
        title=Sum(Length("record__title")),
        abstract=Sum(Length("record__abstract")),
        keywords=Sum(Length(Cast("record__keywords", TextField()))),
    )
    digest = hashlib.sha256(repr([row[3] for row in rows]).encode())
    digest.update(repr(sorted(lengths.items())).encode())
    digest.update(f"features-{ranking.FEATURES_VERSION}".encode())
    return digest.hexdigest()[:16]


# The parts of a kept sparse matrix, each an .npy file in the stage's features folder.
FEATURE_PARTS = ("data", "indices", "indptr", "shape")


def _features_load(folder: Path):
    """The kept features, memory-mapped: nothing is read until the model touches it, and
    the pages stay in the operating system's cache between retrains. Loading the whole
    matrix was a retrain's largest part on 100,000 records (300 MB: 2.5-5 s)."""
    import numpy as np  # noqa: PLC0415 -- in the worker only
    from scipy import sparse  # noqa: PLC0415 -- seconds to import: in the worker only

    parts = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in FEATURE_PARTS}
    matrix = sparse.csr_matrix(
        (parts["data"], parts["indices"], parts["indptr"]), shape=tuple(parts["shape"])
    )
    matrix.has_sorted_indices = True  # kept sorted (_features_store): no fit sorts them again
    return matrix


def _features_store(folder: Path, features) -> None:
    """Keep the features in `folder`, whole or not at all: written into a folder of their
    own and renamed into place, so a concurrent run never reads half of them."""
    import numpy as np  # noqa: PLC0415 -- in the worker only

    features.sort_indices()
    temporary = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    temporary.mkdir(parents=True)
    parts = {name: getattr(features, name) for name in ("data", "indices", "indptr")}
    parts["shape"] = np.array(features.shape, dtype=np.int64)
    for name, array in parts.items():
        np.save(temporary / f"{name}.npy", array)
    try:
        temporary.rename(folder)
    except OSError:  # another run kept the same features first
        shutil.rmtree(temporary, ignore_errors=True)


def _features_forget(stage_id: int) -> None:
    """Drop the stage's kept features. A retrain that has them mapped keeps
    reading them: a removed file lives on until it is unmapped."""
    folder = Path(settings.MEDIA_ROOT) / "ranking"
    for path in folder.glob(f"stage-{stage_id}-*"):
        if ".tmp-" in path.name:  # another run's, being written
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:  # the single .npz file of FEATURES_VERSION 2
            path.unlink(missing_ok=True)


def _stage_features(stage: Stage, rows: list[tuple]):
    """The TF-IDF rows of the stage's records (in `rows` order, a scipy sparse matrix),
    computed once per record set and kept in the stage's features folder (a cache:
    deleting it costs one recomputation)."""
    folder = _features_path(stage, _records_fingerprint(stage, rows))
    if folder.is_dir():
        try:
            return _features_load(folder)
        except (OSError, ValueError):
            logger.warning("unreadable ranking features %s: computing again", folder)
            shutil.rmtree(folder, ignore_errors=True)
    records = list(
        Record.objects.filter(screening_items__stage=stage, canonical__isnull=True).values_list(
            "id", "title", "abstract", "keywords", "language"
        )
    )
    read = ranking.record_texts(
        [
            (title, abstract, keywords or [], language)
            for _id, title, abstract, keywords, language in records
        ]
    )
    texts = {record[0]: text for record, text in zip(records, read, strict=True)}
    features = ranking.text_features([texts[row[3]] for row in rows])
    _features_forget(stage.pk)
    _features_store(folder, features)
    return features


def ranking_features_request(*, stage: Stage) -> None:
    """Once the transaction commits, have the worker compute and keep the features of a
    prioritised stage's records (after an import added records, or the switch to
    prioritised order), so that its next retrain only learns and scores. Computing them is
    most of a first retrain on a large stage (about 48 s of 55 on 100,000 records), and the
    queue stays in random order until that retrain ends; done ahead, it is over before the
    first include and exclude are in, or at least under way. Nothing for a stage in random
    order."""
    if stage.queue_order == Stage.Order.PRIORITISED:
        enqueue_on_commit("screening.tasks.ranking_features_prepare_task", stage_id=stage.pk)


def ranking_features_prepare(*, stage: Stage) -> None:
    """Compute and keep the stage's features unless they are kept already (the task of
    `ranking_features_request`). A retrain that starts meanwhile computes them too: on the
    same record set whichever finishes second keeps the first's (`_features_store`); if the
    set changed in between, the last to finish keeps its own, and a retrain that finds them
    not its set's computes them again. Wasted work at worst, never another set's
    features: the folder is named by the set's fingerprint."""
    _stage_features(stage, _stage_rows(stage))


def _stage_rows(stage: Stage) -> list[tuple]:
    """(item id, status, score, record id) of the stage's unique records, in item order:
    the rows of its features."""
    return list(
        stage.items.filter(record__canonical__isnull=True)
        .order_by("id")
        .values_list("id", "status", "score", "record_id")
    )


def ranking_features_forget(*, stage_ids) -> None:
    """After a record's text changed (inside its transaction): drop the stages' cached
    features once the transaction commits, so the next retrain reads the corrected text.
    The fingerprint alone would miss an edit that keeps every length the same."""
    stage_ids = sorted(set(stage_ids))

    def forget():
        for stage_id in stage_ids:
            _features_forget(stage_id)

    if stage_ids:
        transaction.on_commit(forget, robust=True)


def _signature(labelled: list[tuple[int, bool]]) -> str:
    digest = hashlib.sha256(repr(sorted(labelled)).encode())
    return digest.hexdigest()


def ranking_retrain(*, stage: Stage) -> Ranking | None:
    """Learn from the stage's settled records and score the rest; returns the ranking, or
    None when there is not yet an include and an exclude to learn from.

    Idempotent: a finished ranking on the same decisions is returned as it is. A ranking
    whose run fails is marked failed and the previous scores stay in use; one that
    finishes after a ranking that learned from more decisions writes nothing.
    """
    rows = _stage_rows(stage)
    labelled = [(item_id, LABELS[status]) for item_id, status, *_t in rows if status in LABELS]
    included = sum(label for _i, label in labelled)
    if not included or included == len(labelled):
        return None
    signature = _signature(labelled)
    finished = stage.rankings.filter(
        signature=signature, status__in=[Ranking.Status.DONE, Ranking.Status.SUPERSEDED]
    ).first()
    if finished is not None:
        return finished
    run = Ranking.objects.create(
        stage=stage,
        signature=signature,
        labels=len(labelled),
        included=included,
        excluded=len(labelled) - included,
    )
    started = time.perf_counter()
    try:
        features = _stage_features(stage, rows)
        row_of = {item_id: row for row, (item_id, *_rest) in enumerate(rows)}
        # Looking as far ahead as the stage's retrain interval: the records screened
        # before the next retrain come in the order retraining after each would give.
        scores = ranking.relevance_scores(
            features,
            {row_of[item_id]: label for item_id, label in labelled},
            lookahead=stage.retrain_every,
        )
        pending = [
            (item_id, round(float(scores[row]), SCORE_DIGITS), old)
            for row, (item_id, status, old, _record) in enumerate(rows)
            if status not in LABELS
        ]
        # The head: the records to be handed out before the next retrain, in the order
        # the look-ahead gave them (ranking.relevance_scores); stored exactly.
        head = sorted((new for _item, new, _old in pending), reverse=True)[: stage.retrain_every]
        head_floor = head[-1] if head else float("inf")
        changed = [
            (item_id, new)
            for item_id, new, old in pending
            if _worth_writing(new, old, head_floor=head_floor)
        ]
        written = _scores_write(stage, run, changed)
    except Exception as error:  # the previous ranking stays in use
        logger.exception("ranking of stage %s failed", stage.pk)
        Ranking.objects.filter(pk=run.pk).update(
            status=Ranking.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )
        run.refresh_from_db()
        return run
    run.status = Ranking.Status.DONE if written else Ranking.Status.SUPERSEDED
    run.scored = len(pending) if written else 0
    run.seconds = time.perf_counter() - started
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "scored", "seconds", "finished_at"])
    return run


# How far a stored score may lag its ranking's: in the top tenth, and below it.
HIGH_SCORE_TOLERANCE = 0.0005
LOW_SCORE_TOLERANCE = 0.01


def _worth_writing(new: float, old: float, *, head_floor: float) -> bool:
    """Whether a new score is worth its write. Each write of the indexed score costs an index
    update, and they were most of a retrain's time on 10,000 records; but an item's rank
    moves a little between retrains, and only the head of the queue is handed out before
    the next one. So the head (scores from `head_floor` up, new or stored) is kept exact,
    in the look-ahead's order and above everything else; the rest of the top tenth within
    HIGH_SCORE_TOLERANCE (where three digits kept it), the rest within LOW_SCORE_TOLERANCE.
    An item not scored yet is always written."""
    if old < 0 or max(new, old) >= head_floor:
        return new != old
    if max(new, old) >= 0.9:
        return abs(new - old) >= HIGH_SCORE_TOLERANCE
    return abs(new - old) >= LOW_SCORE_TOLERANCE


def _newer_finished(stage: Stage, run: Ranking) -> bool:
    return (
        stage.rankings.filter(status=Ranking.Status.DONE, labels__gt=run.labels)
        .exclude(pk=run.pk)
        .exists()
    )


def _scores_write(stage: Stage, run: Ranking, scores: list[tuple[int, float]]) -> bool:
    """Write the scores in short batches; False (and nothing more written) as soon as a
    ranking that learned from more decisions has finished."""
    for start in range(0, len(scores), WRITE_BATCH):
        batch = scores[start : start + WRITE_BATCH]
        with transaction.atomic():
            if _newer_finished(stage, run):
                return False
            _update_scores(batch)
    return not _newer_finished(stage, run)


def _update_scores(batch: list[tuple[int, float]]) -> None:
    if connection.vendor == "postgresql":
        table = ScreeningItem._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS item SET score = new.score"  # noqa: S608 - the model's table
                " FROM unnest(%s::bigint[], %s::float8[]) AS new(id, score)"
                " WHERE item.id = new.id",
                [[item_id for item_id, _s in batch], [score for _i, score in batch]],
            )
        return
    items = [ScreeningItem(pk=item_id, score=score) for item_id, score in batch]
    ScreeningItem.objects.bulk_update(items, ["score"])


def latest_ranking(stage: Stage) -> Ranking | None:
    """The ranking whose scores the queue uses: the finished one that learned most."""
    return stage.rankings.filter(status=Ranking.Status.DONE).order_by("-labels", "-id").first()


# ---------------------------------------------------------------------------------------------
# The lead's settings and the stop decision, each audited.


def _locked_stage(stage: Stage) -> Stage:
    locked = (
        Stage.objects.select_for_update().select_related("topic_area__project").get(pk=stage.pk)
    )
    return locked


@transaction.atomic
def stage_order_set(*, stage: Stage, actor, order: str) -> Stage:
    """Switch the stage's queue between random and prioritised order. Switching to
    prioritised asks for a ranking at once when there are decisions to learn from."""
    if order not in Stage.Order.values:
        raise ValidationError({"queue_order": _("Choose random or prioritised order.")})
    locked = _locked_stage(stage)
    before = locked.queue_order
    locked.queue_order = order
    locked.save(update_fields=["queue_order"])
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="stage.order",
        obj=locked,
        before={"queue_order": before},
        after={"queue_order": order},
    )
    if order == Stage.Order.PRIORITISED:
        included, excluded = stage_label_counts(locked)
        if included and excluded:
            _request_on_commit(locked.pk, seen=None, labels=included + excluded)
        else:  # nothing to learn from yet: have the features ready for the first retrain
            ranking_features_request(stage=locked)
    return locked


def _validate_stopping(rule: str, threshold: float) -> None:
    if rule not in Stage.StoppingRule.values:
        raise ValidationError({"stopping_rule": _("Choose one of the stopping rules.")})
    if rule == Stage.StoppingRule.RECALL_TEST and not 0 < threshold < 1:
        raise ValidationError(
            {"stopping_threshold": _("A recall target is a share between 0 and 1, e.g. 0.95.")}
        )
    if rule != Stage.StoppingRule.RECALL_TEST and threshold <= 0:
        raise ValidationError({"stopping_threshold": _("The threshold must be above 0.")})


@transaction.atomic
def stage_stopping_set(*, stage: Stage, actor, rule: str, threshold: float) -> Stage:
    """The lead chooses the stopping heuristic the stage's dashboard advises on."""
    _validate_stopping(rule, threshold)
    locked = _locked_stage(stage)
    if locked.stopped_at is not None:
        # The flow diagram names the rule the records were excluded by: it stays as it was.
        raise ValidationError(_("Screening here has been stopped: resume it to change the rule."))
    before = {"stopping_rule": locked.stopping_rule, "threshold": locked.stopping_threshold}
    locked.stopping_rule, locked.stopping_threshold = rule, threshold
    locked.save(update_fields=["stopping_rule", "stopping_threshold"])
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="stage.stopping_rule",
        obj=locked,
        before=before,
        after={"stopping_rule": rule, "threshold": threshold},
    )
    return locked


@transaction.atomic
def stage_stop(*, stage: Stage, actor, advice: ranking.StopAdvice | None = None) -> Stage:
    """The lead stops screening at the stage: its unscreened records are excluded by the
    stopping rule (in the flow diagram, with the rule named) and the queue hands out
    nothing more. The advice at the moment of stopping is kept in the audit entry."""
    locked = _locked_stage(stage)
    if locked.stopped_at is not None:
        raise ValidationError(_("Screening at this stage has already been stopped."))
    if locked.kind == Stage.Kind.FULLTEXT:
        raise ValidationError(_("Every full text is read: a stopping rule is for record stages."))
    locked.stopped_at = timezone.now()
    locked.stopped_by = actor
    # For the record (audit entry, archive), in the project's language as the stage names;
    # pages name the rule in the reader's language (Stage.stopping_rule_label).
    with translation.override(locked.topic_area.project.language):
        locked.stopped_rule = locked.stopping_rule_label()
    locked.save(update_fields=["stopped_at", "stopped_by", "stopped_rule"])
    unscreened = locked.items.filter(status=ScreeningItem.Status.PENDING, decisions_made=0).count()
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="stage.stop",
        obj=locked,
        after={
            "rule": locked.stopped_rule,
            "unscreened": unscreened,
            "advice": None
            if advice is None
            else {"stop": advice.stop, "value": advice.value, "threshold": advice.threshold},
        },
    )
    return locked


@transaction.atomic
def stage_resume(*, stage: Stage, actor) -> Stage:
    """The lead withdraws a stop: the unscreened records are back in the queue."""
    locked = _locked_stage(stage)
    if locked.stopped_at is None:
        raise ValidationError(_("Screening at this stage has not been stopped."))
    before = {"rule": locked.stopped_rule, "stopped_at": locked.stopped_at.isoformat()}
    locked.stopped_at, locked.stopped_by, locked.stopped_rule = None, None, ""
    locked.save(update_fields=["stopped_at", "stopped_by", "stopped_rule"])
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="stage.resume",
        obj=locked,
        before=before,
    )
    return locked
