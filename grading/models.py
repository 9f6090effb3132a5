from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grading.frameworks import (
    Combination,
    Design,
    Direction,
    Quality,
    QualityAssessment,
    TargetShare,
)
from reviewapp.models import Project, TopicArea
from reviewapp.softdelete import SoftDeleteModel
from screening.models import Record


class Rating(models.TextChoices):
    """The report's five-step scale, for risk of bias and for transferability."""

    LOW = "low", _("Low")
    LOW_MODERATE = "low_moderate", _("Low to moderate")
    MODERATE = "moderate", _("Moderate")
    MODERATE_HIGH = "moderate_high", _("Moderate to high")
    HIGH = "high", _("High")


DESIGN_CHOICES = [
    (Design.RANDOMISED_INDIVIDUAL.value, _("Randomised (individual)")),
    (Design.RANDOMISED_CLUSTER.value, _("Randomised (cluster)")),
    (Design.RANDOMISED_QUASI.value, _("Quasi-randomised")),
    (Design.NATURAL_EXPERIMENT.value, _("Natural experiment")),
    (Design.REGRESSION_DISCONTINUITY.value, _("Regression discontinuity")),
    (Design.INSTRUMENTAL_VARIABLES.value, _("Instrumental variables")),
    (Design.DIFFERENCE_IN_DIFFERENCES.value, _("Difference-in-differences")),
    (Design.MATCHING.value, _("Matching")),
    (Design.OTHER.value, _("Other")),
    (Design.REVIEW.value, _("Research-based review")),
]
DIRECTION_CHOICES = [
    (Direction.POSITIVE.value, _("Positive")),
    (Direction.NEGATIVE.value, _("Negative")),
    (Direction.NO_EFFECT.value, _("No effect")),
    (Direction.MIXED.value, _("Mixed")),
]
QUALITY_CHOICES = [(Quality.HIGH.value, _("High")), (Quality.LIMITED.value, _("Limited"))]
# The weighted mode's (jobeffekter.dk) per-result factors; see grading.frameworks.danish_weighted.
QUALITY_ASSESSMENT_CHOICES = [
    (QualityAssessment.GOOD.value, _("Good")),
    (QualityAssessment.SATISFACTORY.value, _("Satisfactory")),
    (QualityAssessment.NOT_SATISFACTORY.value, _("Not satisfactory")),
]
COMBINATION_CHOICES = [
    (Combination.NONE.value, _("None")),
    (Combination.ONE.value, _("On target group or intervention")),
    (Combination.BOTH.value, _("On both target group and intervention")),
]
TARGET_SHARE_CHOICES = [
    (TargetShare.MAIN.value, _("Main target group")),
    (TargetShare.SUBGROUP.value, _("Sub-group")),
    (TargetShare.MAIN_AND_SUBGROUP.value, _("Main group and sub-groups")),
]


class InterventionCategory(SoftDeleteModel):
    """A group of interventions in a topic area; the unit a verdict is given for.

    The report's "other studies" are a category that is not graded. Deleted to the bin with
    its live results, marked at the same moment (`category_delete`, `category_restore`).
    """

    project_path = "topic_area__project"

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="categories")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    graded = models.BooleanField(_("graded"), default=True)

    class Meta(SoftDeleteModel.Meta):
        ordering = ["topic_area", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic_area", "key"], name="category_key_once")
        ]
        verbose_name = _("intervention category")
        verbose_name_plural = _("intervention categories")

    def __str__(self) -> str:
        return self.title


class Study(SoftDeleteModel):
    """An included study: one article, or several reports of one study merged.

    Deleted to the bin with its results (`study_delete`, `study_restore`).
    """

    project_path = "topic_area__project"

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="studies")
    records = models.ManyToManyField(Record, related_name="studies", blank=True)
    label = models.CharField(_("short label"), max_length=200, help_text=_("Cheung et al. (2017)"))
    authors = models.JSONField(_("authors"), default=list, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    title = models.TextField(_("title"))
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 code, e.g. DK.")
    )
    peer_reviewed = models.BooleanField(
        _("peer-reviewed in an international journal"), default=False
    )
    publication_type = models.CharField(_("publication type"), max_length=200, blank=True)
    design = models.CharField(_("design"), max_length=40, choices=DESIGN_CHOICES)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    data_period = models.CharField(_("data period"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(SoftDeleteModel.Meta):
        ordering = ["topic_area", "year", "label", "id"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse(
            "study_detail",
            kwargs={
                "slug": self.topic_area.project.slug,
                "topic_key": self.topic_area.key,
                "study_id": self.pk,
            },
        )


class Result(SoftDeleteModel):
    """A study's result for one intervention: the unit the evidence frameworks count.

    Saved only through `result_save`, which marks the category's verdict stale; deleted to
    the bin by `result_delete` (or with its study), taken back by `result_restore`.
    """

    project_path = "study__topic_area__project"
    # Results go to the bin with their study or with their category.
    bin_parent = ("study", "category")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="results")
    # RESTRICT, not PROTECT: a category goes only with its results (the purge takes them
    # first), yet a topic area's purge deletes both through its cascade.
    category = models.ForeignKey(
        InterventionCategory,
        on_delete=models.RESTRICT,
        related_name="results",
        verbose_name=_("intervention category"),
    )
    intervention = models.TextField(_("intervention"))
    target_group = models.TextField(_("target group"), blank=True)
    participants = models.PositiveIntegerField(_("participants (N)"), null=True, blank=True)
    effect = models.TextField(_("effect"))
    direction = models.CharField(_("direction"), max_length=20, choices=DIRECTION_CHOICES)
    effect_size = models.DecimalField(
        _("effect size"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    ci_low = models.DecimalField(
        _("confidence interval, low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    ci_high = models.DecimalField(
        _("confidence interval, high"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    effect_unit = models.CharField(_("unit"), max_length=100, blank=True)
    risk_of_bias = models.CharField(_("risk of bias"), max_length=20, choices=Rating.choices)
    risk_of_bias_justification = models.TextField(_("why this risk of bias"), blank=True)
    transferability = models.CharField(
        _("transferability"), max_length=20, choices=Rating.choices, blank=True
    )
    transferability_justification = models.TextField(_("why this transferability"), blank=True)
    quality_override = models.CharField(
        _("quality, if not the default"), max_length=20, choices=QUALITY_CHOICES, blank=True
    )
    quality_reason = models.TextField(_("why the quality differs from the default"), blank=True)
    # Used only by the weighted framework (jobeffekter.dk). An empty quality assessment is
    # derived from the quality judgement (high: good, limited: satisfactory).
    quality_assessment = models.CharField(
        _("quality assessment (weighted mode)"),
        max_length=20,
        choices=QUALITY_ASSESSMENT_CHOICES,
        blank=True,
    )
    combination = models.CharField(
        _("combination or sub-division (weighted mode)"),
        max_length=20,
        choices=COMBINATION_CHOICES,
        default=Combination.NONE.value,
    )
    target_share = models.CharField(
        _("target group (weighted mode)"),
        max_length=20,
        choices=TARGET_SHARE_CHOICES,
        default=TargetShare.MAIN.value,
    )
    # The project's own extraction fields, by field key. Values of a field that was later
    # switched off stay here: changing the form never loses what was entered.
    extra = models.JSONField(_("other fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(SoftDeleteModel.Meta):
        ordering = ["category", "study__year", "id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.study}: {self.intervention[:60]}"

    @property
    def default_quality(self) -> str:
        """High when the risk of bias is low, as the report grades."""
        return Quality.HIGH.value if self.risk_of_bias == Rating.LOW else Quality.LIMITED.value

    @property
    def quality(self) -> str:
        return self.quality_override or self.default_quality


class ExtractionField(models.Model):
    """A field a lead adds to the project's extraction form, beside the built-in ones."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        YES_NO = "yes_no", _("Yes/no")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extraction_fields")
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(default=1)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Switched off, a field keeps its values.")
    )

    class Meta:
        ordering = ["project", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="extraction_field_key_once")
        ]
        verbose_name = _("extraction field")
        verbose_name_plural = _("extraction fields")

    def __str__(self) -> str:
        return self.label


class ExtractionSettings(models.Model):
    """How a project extracts: with dual extraction on, two reviewers extract each result's
    key fields independently and only the values agreed at consensus feed the verdict.
    Saved only through `extraction_settings_update`."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="extraction_settings"
    )
    dual_extraction = models.BooleanField(_("dual extraction"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("extraction settings")
        verbose_name_plural = _("extraction settings")

    def __str__(self) -> str:
        return f"{self.project}: extraction settings"


class Extraction(models.Model):
    """One reviewer's independent extraction of a result's key fields (dual extraction).
    Never read by the frameworks: only the consensus is. Saved only through
    `extraction_save`; a reviewer never sees the other's before both have extracted."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="extractions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Field name (grading.queries.consensus.CONSENSUS_FIELDS) -> value.
    values = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["result", "id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "reviewer"], name="extraction_once")
        ]
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")

    def __str__(self) -> str:
        return f"{self.result}: {self.reviewer}"


class Consensus(models.Model):
    """The values agreed for a dually extracted result, field by field; `consensus_record`
    writes them onto the result too. Saved only through `consensus_record`."""

    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="consensus")
    values = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("consensus")
        verbose_name_plural = _("consensus records")

    def __str__(self) -> str:
        return f"{self.result}: consensus"


class Verdict(models.Model):
    """The evidence verdict of one graded category.

    The computed fields are written only by `verdict_recompute` (a Celery task after every
    save that touches the category); the final level only by `verdict_set_final`.
    """

    category = models.OneToOneField(
        InterventionCategory, on_delete=models.CASCADE, related_name="verdict"
    )
    framework = models.CharField(max_length=40, blank=True)
    computed_level = models.CharField(max_length=40, blank=True)
    computed_direction = models.CharField(max_length=20, blank=True)
    trace = models.JSONField(default=dict, blank=True)
    inputs_hash = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # Set by every save that changes the category's inputs, cleared by the recompute that
    # saw them; None means up to date.
    stale_since = models.DateTimeField(null=True, blank=True)
    recompute_requested_at = models.DateTimeField(null=True, blank=True)
    final_level = models.CharField(max_length=40, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")

    def __str__(self) -> str:
        return f"{self.category}: {self.level or '?'}"

    @property
    def level(self) -> str:
        """The level that stands: the lead's final level, else the computed one."""
        return self.final_level or self.computed_level


class VerdictEvent(models.Model):
    """The history of a verdict: every computed change and every final-level decision."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        FINAL = "final", _("Final level set")

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=40, blank=True)
    rationale = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.level}"


class GradeAssessment(models.Model):
    """A lead's GRADE judgements for one graded category (GRADE's outcome): the steps each
    domain rates the certainty down or up, each with its reason, and the figures the Summary
    of Findings table shows. Read by `verdict_recompute` when the project uses GRADE; saved
    only through `grade_assessment_save`, which marks the verdict stale."""

    class Evidence(models.TextChoices):
        RANDOMISED = "randomised", _("Randomised trials")
        OBSERVATIONAL = "observational", _("Observational studies")

    category = models.OneToOneField(
        InterventionCategory, on_delete=models.CASCADE, related_name="grade_assessment"
    )
    # Steps down (0-2; imprecision 0-3) and up (large effect 0-2, the others 0-1); the
    # ranges are grading.frameworks.grade.DOMAINS'.
    risk_of_bias = models.PositiveSmallIntegerField(_("risk of bias"), default=0)
    inconsistency = models.PositiveSmallIntegerField(_("inconsistency"), default=0)
    indirectness = models.PositiveSmallIntegerField(_("indirectness"), default=0)
    imprecision = models.PositiveSmallIntegerField(_("imprecision"), default=0)
    publication_bias = models.PositiveSmallIntegerField(_("publication bias"), default=0)
    large_effect = models.PositiveSmallIntegerField(_("large effect"), default=0)
    dose_response = models.PositiveSmallIntegerField(_("dose-response gradient"), default=0)
    plausible_confounding = models.PositiveSmallIntegerField(_("plausible confounding"), default=0)
    # Domain id -> the reason (the Summary of Findings footnote).
    reasons = models.JSONField(default=dict, blank=True)
    # Empty: randomised when every result's study is randomised.
    evidence = models.CharField(
        _("body of evidence"), max_length=20, choices=Evidence.choices, blank=True
    )
    robins_i = models.BooleanField(_("risk of bias rated with ROBINS-I"), default=False)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    relative_effect = models.CharField(_("relative effect (95% CI)"), max_length=200, blank=True)
    risk_with_comparison = models.CharField(_("risk with comparison"), max_length=200, blank=True)
    risk_with_intervention = models.CharField(
        _("risk with intervention"), max_length=200, blank=True
    )
    comments = models.TextField(_("comments"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("GRADE assessment")
        verbose_name_plural = _("GRADE assessments")

    def __str__(self) -> str:
        return f"{self.category}: GRADE"


class RobAssessment(models.Model):
    """A formal risk-of-bias assessment of one result with Cochrane RoB 2 or ROBINS-I.

    The reviewer's answers to the signalling questions, and the domain and overall judgements
    as the reviewer confirmed them (the tools' proposals are recomputed from the answers, not
    stored). Saved only through `rob_assessment_save`, which also sets the result's
    `risk_of_bias` on the report's scale.
    """

    class Tool(models.TextChoices):
        ROB2 = "rob2", _("RoB 2 (randomised trials)")
        ROB2_CLUSTER = "rob2_cluster", _("RoB 2 for cluster-randomised trials")
        ROBINS_I = "robins_i", _("ROBINS-I (non-randomised studies)")

    class Effect(models.TextChoices):
        ASSIGNMENT = "assignment", _("Effect of assignment (intention-to-treat)")
        ADHERING = "adhering", _("Effect of adhering (per-protocol)")

    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="rob_assessment")
    tool = models.CharField(_("tool"), max_length=20, choices=Tool.choices)
    tool_version = models.CharField(max_length=60)
    effect = models.CharField(
        _("effect of interest"), max_length=20, choices=Effect.choices, default=Effect.ASSIGNMENT
    )
    # Signalling question id ("1.1") -> answer (Y, PY, PN, N, NI, NA).
    answers = models.JSONField(default=dict, blank=True)
    # Domain id ("D1") -> the judgement code the reviewer confirmed.
    domain_judgements = models.JSONField(default=dict, blank=True)
    overall = models.CharField(_("overall judgement"), max_length=20)
    # Domain id or "overall" -> the reviewer's note; required where a judgement departs from
    # the tool's proposal.
    notes = models.JSONField(default=dict, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("risk-of-bias assessment")
        verbose_name_plural = _("risk-of-bias assessments")

    def __str__(self) -> str:
        return f"{self.result}: {self.get_tool_display()} {self.overall}"


class ReportSettings(models.Model):
    """What a lead decides about a topic area's report tables: the short statement of each
    category's results (the summary table's middle column) and how the counts table counts
    the intermediate risk-of-bias ratings. Saved only through `report_settings_update`."""

    class CountAs(models.TextChoices):
        LOW = "low", _("Low")
        MIDDLE = "middle", _("Middle")
        HIGH = "high", _("High")

    topic_area = models.OneToOneField(
        TopicArea, on_delete=models.CASCADE, related_name="report_settings"
    )
    # "Middel til høj" (moderate to high) and "Lav til middel" (low to moderate) are counted
    # under one of the counts table's three rows; the footnote says which.
    moderate_high_counts_as = models.CharField(
        _("count “moderate to high” as"),
        max_length=10,
        choices=CountAs.choices,
        default=CountAs.MIDDLE,
    )
    low_moderate_counts_as = models.CharField(
        _("count “low to moderate” as"),
        max_length=10,
        choices=CountAs.choices,
        default=CountAs.MIDDLE,
    )
    # Category key -> the lead's short statement of the results.
    statements = models.JSONField(_("statements"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.topic_area}: report settings"


class ReportSnapshot(models.Model):
    """The stored report tables of one topic area and the problems the consistency checks
    found. Do not set directly; see `report_tables_rebuild`, run by the same recompute that
    updates the verdicts, so pages and exports read the tables without recomputing."""

    topic_area = models.OneToOneField(
        TopicArea, on_delete=models.CASCADE, related_name="report_snapshot"
    )
    tables = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # Set by a change outside extraction (screening decisions, settings) that the tables do
    # not show yet; cleared by the rebuild.
    stale_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report tables")
        verbose_name_plural = _("report tables")

    def __str__(self) -> str:
        return f"{self.topic_area}: report tables"


class Comment(SoftDeleteModel):
    """A peer reviewer's (or lead's) comment on a verdict, a category, a study, a result or
    a topic area's flow diagram, or a reply to one. Self-contained: the target is a kind and
    an id within the project, so an archive can carry comments with their targets.

    Deleted to the bin with its replies (`comment_delete`, `comment_restore`).
    """

    project_path = "project"
    bin_parent = ("parent",)

    class Target(models.TextChoices):
        VERDICT = "verdict", _("Verdict")
        CATEGORY = "category", _("Intervention category")
        STUDY = "study", _("Study")
        RESULT = "result", _("Result")
        FLOW = "flow", _("Flow diagram")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    topic_area = models.ForeignKey(
        TopicArea, on_delete=models.CASCADE, related_name="comments", null=True, blank=True
    )
    target_kind = models.CharField(_("on"), max_length=20, choices=Target.choices)
    # The verdict's, category's, study's or result's id; the topic area's id for a flow.
    target_id = models.PositiveIntegerField()
    target_label = models.CharField(max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta(SoftDeleteModel.Meta):
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "target_kind", "target_id"])]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} {self.target_label}: {self.body[:60]}"

    @property
    def is_open(self) -> bool:
        return self.parent_id is None and self.resolved_at is None
