from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Project, TopicArea
from reviewapp.softdelete import SoftDeleteModel


class Source(SoftDeleteModel):
    """Where a topic area's records came from: one database search, snowballing, or other.

    The counts are written by the import service (`import_run`) and by merges, so
    the flow diagram reads them without recounting. A removed import goes to the bin
    (`SoftDeleteModel`).
    """

    project_path = "topic_area__project"

    class Kind(models.TextChoices):
        DATABASE = "database", _("Database search")
        SNOWBALLING = "snowballing", _("Snowballing")
        OTHER = "other", _("Other (hand search, experts)")

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DATABASE)
    name = models.CharField(_("database or source"), max_length=200)
    run_date = models.DateField(_("date searched"), null=True, blank=True)
    query = models.TextField(_("search query"), blank=True)
    reported_hits = models.PositiveIntegerField(
        _("hits the database reported"), null=True, blank=True
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=20, blank=True)
    # Snowballing: the included record whose reference list these records came from.
    parent_record = models.ForeignKey(
        "Record",
        # RESTRICT, not PROTECT: a topic area's deletion may take both away together.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="snowballed_sources",
        verbose_name=_("references of"),
    )
    records_read = models.PositiveIntegerField(default=0)
    records_missing_title = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(SoftDeleteModel.Meta):
        ordering = ["topic_area", "created_at", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Record(SoftDeleteModel):
    """One bibliographic record as imported from one source.

    In the bin with its source when the import is removed (`source_delete`).

    Duplicates are never deleted: a duplicate points to its canonical record
    (`canonical`), so per-source counts and "duplicates removed" stay known and a
    merge can be undone. Only canonical records (canonical is null) are screened.
    """

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="records")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField(help_text="Order of the record in its source file.")
    source_line = models.PositiveIntegerField(default=0)

    title = models.TextField(_("title"), blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    authors = models.JSONField(_("authors"), default=list, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    journal = models.TextField(_("journal"), blank=True)
    volume = models.CharField(_("volume"), max_length=100, blank=True)
    issue = models.CharField(_("issue"), max_length=100, blank=True)
    pages = models.CharField(_("pages"), max_length=100, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True, db_index=True)
    pmid = models.CharField(_("PMID"), max_length=20, blank=True, db_index=True)
    url = models.TextField(_("URL"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=100, blank=True)
    publication_type = models.CharField(_("publication type"), max_length=200, blank=True)
    raw = models.JSONField(_("fields as imported"), default=dict, blank=True)

    canonical = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text="Set by the de-duplication services; null for a canonical record.",
    )
    duplicate_score = models.FloatField(null=True, blank=True)
    duplicate_reason = models.CharField(max_length=200, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who confirmed the merge; null when it was merged automatically.",
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # Bumped by each correction (`record_update`), whose previous state is a RecordVersion.
    version = models.PositiveIntegerField(default=1)

    project_path = "topic_area__project"
    bin_entry = False

    class Meta(SoftDeleteModel.Meta):
        ordering = ["topic_area", "id"]
        indexes = [
            models.Index(fields=["topic_area", "canonical"], name="record_topic_canonical"),
            models.Index(fields=["source", "position"], name="record_source_position"),
        ]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return self.title[:120] or f"(record {self.pk} without title)"

    def get_absolute_url(self) -> str:
        """The record's history page."""
        return reverse(
            "record_history",
            kwargs={
                "slug": self.topic_area.project.slug,
                "topic_key": self.topic_area.key,
                "record_id": self.pk,
            },
        )

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    @property
    def citation(self) -> str:
        """'Cheung, M. et al. (2017)' style short form."""
        author = self.first_author.split(",")[0] if self.first_author else ""
        if len(self.authors) > 1:
            author += " et al."
        year = f" ({self.year})" if self.year else ""
        return f"{author}{year}".strip()


class RecordVersion(models.Model):
    """A record's bibliographic fields as they stood at one version, kept when a correction
    replaced them: version 1 is the record as imported. Written by `record_update` only."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField(default=dict)
    # Who replaced this version with the next, and when.
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="record_version_once")
        ]
        verbose_name = _("earlier version of a record")
        verbose_name_plural = _("earlier versions of records")

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class Label(models.Model):
    """A free label a project's members put on records ("to check", "kids' sample"), one
    vocabulary per project. Created by the first `record_label_add` that names it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("label"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "project", name="label_name_once_per_project")
        ]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name


class RecordLabel(models.Model):
    """A label on a record: who put it there and when. Written by `record_label_add`,
    `record_label_remove` and the bulk label action only."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="record_labels")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record", "label__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "label"], name="label_once_per_record")
        ]
        indexes = [models.Index(fields=["label", "record"], name="record_label_by_label")]
        verbose_name = _("label on a record")
        verbose_name_plural = _("labels on records")

    def __str__(self) -> str:
        return f"{self.record_id}: {self.label_id}"


class DuplicatePair(SoftDeleteModel):
    """A pair de-duplication was unsure about, or a decision about a pair.

    Pending pairs make the review list; confirmed pairs are merged; rejected pairs
    (including undone merges) are never proposed or merged again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed duplicate")
        REJECTED = "rejected", _("Not a duplicate")

    topic_area = models.ForeignKey(
        TopicArea, on_delete=models.CASCADE, related_name="duplicate_pairs"
    )
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # In the bin with their record's source (`source_delete`); purged with it.
    project_path = "topic_area__project"
    bin_entry = False

    class Meta(SoftDeleteModel.Meta):
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="pair_once"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="pair_ordered"
            ),
        ]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")

    def __str__(self) -> str:
        return f"{self.record_a_id} ~ {self.record_b_id} ({self.score:.2f})"


class ImportJob(models.Model):
    """One upload and its import, run by a Celery task (`import_file_task`).

    The job outlives a failed import: the records and source of a rejected file are
    rolled back, the job keeps the reason to show the user.
    """

    class Status(models.TextChoices):
        NEEDS_MAPPING = "needs_mapping", _("Waiting for column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Rejected")
        # Read with entries repaired or skipped: nothing is stored until the user who
        # started it (or a lead) confirms (`import_job_confirm`) or discards it.
        NEEDS_CONFIRMATION = "needs_confirmation", _("Waiting for confirmation of repairs")
        DISCARDED = "discarded", _("Discarded")

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="import_jobs")
    upload = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    requested_format = models.CharField(max_length=20, default="auto")
    csv_mapping = models.JSONField(default=dict, blank=True)
    source_kind = models.CharField(
        max_length=20, choices=Source.Kind.choices, default=Source.Kind.DATABASE
    )
    source_name = models.CharField(max_length=200)
    run_date = models.DateField(null=True, blank=True)
    query = models.TextField(blank=True)
    reported_hits = models.PositiveIntegerField(null=True, blank=True)
    parent_record = models.ForeignKey(
        "Record", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    detected_format = models.CharField(max_length=20, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    repairs_accepted = models.BooleanField(
        default=False,
        help_text="The user confirmed the entries repaired or skipped. Do not set directly; "
        "see import_job_confirm.",
    )
    source = models.OneToOneField(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_job"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed every few seconds while the import runs (`import_heartbeat`); a running job
    # whose heartbeat stopped lost its worker and is failed by `import_jobs_sweep`.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.source_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "import_job",
            kwargs={
                "slug": self.topic_area.project.slug,
                "topic_key": self.topic_area.key,
                "job_id": self.pk,
            },
        )

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.DISCARDED}


class Stage(models.Model):
    """One screening step of a topic area: title, title and abstract, or full text.

    Stages are set up by a lead (`stages_set_up`) and screened in `position` order: a
    record included at one stage enters the next.
    """

    class Kind(models.TextChoices):
        TITLE = "title", _("Title")
        ABSTRACT = "abstract", _("Title and abstract")
        FULLTEXT = "fulltext", _("Full text")

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reviewers_required = models.PositiveSmallIntegerField(
        _("independent reviewers per record"),
        choices=[(1, _("One reviewer")), (2, _("Two reviewers, blind to each other"))],
        default=1,
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("reviewers taking part"),
        help_text=_("None chosen: every lead and reviewer of the project."),
    )
    exclusion_reasons = models.JSONField(_("exclusion reasons"), default=list, blank=True)
    reason_required = models.BooleanField(_("an exclusion needs a reason"), default=False)
    include_keywords = models.JSONField(_("include keywords"), default=list, blank=True)
    exclude_keywords = models.JSONField(_("exclude keywords"), default=list, blank=True)
    show_decisions_after = models.BooleanField(
        _("reviewers see each other's decisions once both have decided"), default=True
    )
    version = models.PositiveIntegerField(default=1)

    # Prioritised screening (see screening.services.ranking). Set by `stage_order_set`,
    # `stage_stopping_set`, `stage_stop` and `stage_resume`, never directly.
    class Order(models.TextChoices):
        RANDOM = "random", _("Random order")
        PRIORITISED = "prioritised", _("Most likely relevant first")

    class StoppingRule(models.TextChoices):
        IRRELEVANT_STREAK = "irrelevant_streak", _("Irrelevant records in a row")
        ESTIMATE = "estimate", _("Estimated relevant records left")
        RECALL_TEST = "recall_test", _("Statistical test of recall")
        KNEE = "knee", _("Finds have dried up (the knee method)")

    queue_order = models.CharField(
        _("queue order"), max_length=20, choices=Order.choices, default=Order.RANDOM
    )
    retrain_every = models.PositiveSmallIntegerField(
        _("retrain the ranking after this many decisions"), default=10
    )
    # The final decisions counted when a retrain was last requested: a decision asks for
    # one when at least `retrain_every` more have been made since (`ranking_request`).
    ranking_requested_labels = models.PositiveIntegerField(default=0)
    stopping_rule = models.CharField(
        _("stopping rule"),
        max_length=20,
        choices=StoppingRule.choices,
        # The knee method at 15: the rule that reached 95 % recall in every simulated run
        # (screening/stopping_evidence.py); "100 irrelevant in a row" did in 45 of 50.
        default=StoppingRule.KNEE,
    )
    stopping_threshold = models.FloatField(_("stopping threshold"), default=15)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rule in words when the lead stopped, in the project's language, for the record
    # (the audit entry and archives). Pages name the rule from `stopping_rule` and
    # `stopping_threshold` in the reader's language; those cannot change while stopped.
    stopped_rule = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["topic_area", "position"]
        constraints = [
            models.UniqueConstraint(fields=["topic_area", "position"], name="stage_position_once")
        ]
        verbose_name = _("screening stage")
        verbose_name_plural = _("screening stages")

    def __str__(self) -> str:
        return self.name

    def stopping_rule_label(self) -> str:
        """The stopping rule and its threshold in words, in the active language (the flow
        diagram names it beside the records it excluded unseen)."""
        if self.stopping_rule == self.StoppingRule.IRRELEVANT_STREAK:
            return _("%(n)s irrelevant records in a row") % {"n": int(self.stopping_threshold)}
        if self.stopping_rule == self.StoppingRule.ESTIMATE:
            return _("fewer than %(n)s relevant records estimated left") % {
                "n": f"{self.stopping_threshold:g}"
            }
        if self.stopping_rule == self.StoppingRule.KNEE:
            return _("finds slowed to 1/%(n)s of their pace before the knee") % {
                "n": f"{self.stopping_threshold:g}"
            }
        return _("recall of %(target)s %% reached at 95 %% confidence") % {
            "target": f"{100 * self.stopping_threshold:g}"
        }

    @property
    def dual(self) -> bool:
        return self.reviewers_required > 1


class ScreeningItem(SoftDeleteModel):
    """A record at a stage, with its status there.

    Do not set `status` directly: `decision_record`, `conflict_resolve` and
    `screening_item_reopen` derive it from the decisions, so that queues and counts
    read one indexed row per record instead of aggregating decisions.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for decisions")
        MAYBE = "maybe", _("Maybe: to revisit")
        CONFLICT = "conflict", _("Conflict")
        INCLUDED = "included", _("Included")
        EXCLUDED = "excluded", _("Excluded")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="screening_items")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decisions_made = models.PositiveSmallIntegerField(default=0)
    # Random but fixed order of the queue (a hash of record and stage).
    order_key = models.BigIntegerField(default=0)
    # Relevance from the latest finished ranking, in [0, 1]; -1 until a ranking has scored
    # the record. A prioritised queue hands out the highest first. Do not set directly; see
    # `ranking_retrain`.
    score = models.FloatField(default=-1.0)
    exclusion_reason = models.CharField(max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    entered_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # The reviewer a lead handed the record to (`records_bulk_assign`): it comes first in
    # their queue and holds one of its seats for them until they decide it, when it is
    # cleared (as it is when the record is settled otherwise, the assignment undone, or the
    # reviewer leaves: `assignments_release`). Do not set directly.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index below serves every lookup by it
    )

    # In the bin with their record's source (`source_delete`); purged with it.
    project_path = "stage__topic_area__project"
    bin_entry = False

    class Meta(SoftDeleteModel.Meta):
        ordering = ["stage", "order_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "record"], name="item_once_per_stage")
        ]
        indexes = [
            models.Index(fields=["stage", "status", "order_key"], name="item_queue"),
            models.Index(fields=["stage", "status", "-score", "order_key"], name="item_ranked"),
            # Only the few assigned items: whether a stage has any (read with the stage on
            # every screening request), a reviewer's assigned queue in its order (without
            # `order_key` here PostgreSQL walked `item_queue` in order for the assignee's
            # first: 79 ms at 50,000 records, bench/assignment_queue.py), the home page's
            # count. A stage without assignments costs the queue nothing more.
            models.Index(
                fields=["stage", "assigned_to", "status", "order_key"],
                name="item_assigned",
                condition=models.Q(assigned_to__isnull=False),
            ),
        ]
        verbose_name = _("record at a stage")
        verbose_name_plural = _("records at a stage")

    def __str__(self) -> str:
        return f"{self.record_id} @ {self.stage_id}: {self.status}"

    @property
    def decided(self) -> bool:
        return self.status in {self.Status.INCLUDED, self.Status.EXCLUDED}


class Decision(SoftDeleteModel):
    """One reviewer's decision on one record at one stage; changed in place, never duplicated."""

    class Value(models.TextChoices):
        INCLUDE = "include", _("Include")
        EXCLUDE = "exclude", _("Exclude")
        MAYBE = "maybe", _("Maybe")

    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="decisions")
    # The item's stage, kept on the decision too: a reviewer's decisions at a stage (their
    # count on every screening page, their history) are then read from one index, where
    # a join through the items cost one lookup per decision of theirs.
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_decisions"
    )
    value = models.CharField(max_length=10, choices=Value.choices)
    reason = models.CharField(_("exclusion reason"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(auto_now=True)

    # In the bin with their record's source (`source_delete`); purged with it.
    project_path = "stage__topic_area__project"
    bin_entry = False

    class Meta(SoftDeleteModel.Meta):
        ordering = ["item", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "reviewer"], name="decision_once_per_reviewer")
        ]
        indexes = [
            models.Index(fields=["reviewer", "decided_at"], name="decision_by_reviewer"),
            models.Index(
                fields=["stage", "reviewer", "decided_at"], name="decision_stage_reviewer"
            ),
        ]
        verbose_name = _("screening decision")
        verbose_name_plural = _("screening decisions")

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.value}"


class Ranking(models.Model):
    """One retrain of a stage's relevance model: what it learned from and how it went.

    Written by `ranking_retrain` only. The decisions it learned from are named by
    `signature` (a hash of the labelled items), so a second run on the same decisions does
    nothing; a finished ranking writes its scores to the stage's items unless a ranking
    that learned from more decisions has finished first. A failed one leaves the scores of
    the previous ranking in use.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        SUPERSEDED = "superseded", _("Superseded by a newer ranking")
        FAILED = "failed", _("Failed")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rankings")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    signature = models.CharField(max_length=64)
    labels = models.PositiveIntegerField(default=0)
    included = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stage", "-labels", "-id"]
        indexes = [models.Index(fields=["stage", "status", "labels"], name="ranking_latest")]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")

    def __str__(self) -> str:
        return f"{self.stage_id}: {self.labels} decisions, {self.status}"


class Claim(models.Model):
    """A reviewer has been handed this item and not decided yet; expires on its own.

    Keeps two reviewers from being handed the record that needs only one of them.
    """

    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="claims")
    # The item's stage, kept here so that a stage's few claims are found without
    # joining its (many) items.
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="claims")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "reviewer"], name="claim_once_per_reviewer")
        ]
        indexes = [models.Index(fields=["stage", "reviewer"], name="claim_stage_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.item_id} until {self.expires_at:%H:%M}"


class FullText(models.Model):
    """A record's full text for the full-text stage: a PDF, or a note that none could be had.

    Written only by the services in `screening.services.fulltext` (attach, attach from a zip,
    mark not retrievable, remove). A record marked not retrievable counts in the flow diagram
    as "reports not retrieved" and leaves the full-text screening queue.
    """

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="fulltext")
    file = models.FileField(_("PDF"), upload_to="fulltexts/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    not_retrievable = models.BooleanField(_("not retrievable"), default=False)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(not_retrievable=True) & models.Q(file=""))
                | (models.Q(not_retrievable=False) & ~models.Q(file="")),
                name="fulltext_file_or_not_retrievable",
            )
        ]
        verbose_name = _("full text")
        verbose_name_plural = _("full texts")

    def __str__(self) -> str:
        if self.not_retrievable:
            return f"{self.record_id}: not retrievable"
        return f"{self.record_id}: {self.original_name}"


class MaybeFlag(models.Model):
    """A reviewer's private "maybe" on a record at a stage: not a decision.

    The record stays pending, and stays waiting for the other reviewers; it moves to the
    tail of this reviewer's queue and onto their maybe pile until they decide it (their
    decision takes the flag away). Written by `maybe_flag` and `_decision_save` only.
    """

    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="maybe_flags")
    # The item's stage, kept here so that a stage's flags (the lead's count, the pile) are
    # read from one index without joining the stage's many items.
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="maybe_flags", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    flagged_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage", "flagged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "reviewer"], name="maybe_once_per_reviewer")
        ]
        indexes = [
            models.Index(fields=["stage", "reviewer", "flagged_at"], name="maybe_stage_reviewer")
        ]
        verbose_name = _("maybe")
        verbose_name_plural = _("maybes")

    def __str__(self) -> str:
        return f"{self.reviewer_id}: maybe {self.item_id}"


class BulkAction(models.Model):
    """A lead's action on every record of a filtered stage list at once, audited as one
    entry and undone as one (`bulk_action_undo`). `rows` names what it changed: for an
    exclusion each item and the version the action left it at, for a label each link it
    made (the undo refuses once any of them changed since), for an assignment each item
    assigned (the undo unassigns those still assigned to `assignee`). Written by the bulk
    services in `screening.services.bulk` only."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", _("Exclude with a reason")
        LABEL = "label", _("Add a label")
        ASSIGN = "assign", _("Assign to a reviewer")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="bulk_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=200, blank=True)
    label = models.ForeignKey(Label, on_delete=models.SET_NULL, null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["stage", "-created_at", "-id"]
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {len(self.rows)}"
