from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grading.frameworks import Design, Direction, Quality
from reviewapp.models import Project, TopicArea
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


class InterventionCategory(models.Model):
    """A group of interventions in a topic area; the unit a verdict is given for.

    The report's "other studies" are a category that is not graded.
    """

    topic_area = models.ForeignKey(TopicArea, on_delete=models.CASCADE, related_name="categories")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    graded = models.BooleanField(_("graded"), default=True)

    class Meta:
        ordering = ["topic_area", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic_area", "key"], name="category_key_once")
        ]
        verbose_name = _("intervention category")
        verbose_name_plural = _("intervention categories")

    def __str__(self) -> str:
        return self.title


class Study(models.Model):
    """An included study: one article, or several reports of one study merged."""

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

    class Meta:
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


class Result(models.Model):
    """A study's result for one intervention: the unit the evidence frameworks count.

    Saved only through `result_save`, which marks the category's verdict stale.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="results")
    category = models.ForeignKey(
        InterventionCategory,
        on_delete=models.PROTECT,
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
    # The project's own extraction fields, by field key. Values of a field that was later
    # switched off stay here: changing the form never loses what was entered.
    extra = models.JSONField(_("other fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
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


class RobAssessment(models.Model):
    """A formal risk-of-bias assessment of one result with Cochrane RoB 2 or ROBINS-I.

    The reviewer's answers to the signalling questions, and the domain and overall judgements
    as the reviewer confirmed them (the tools' proposals are recomputed from the answers, not
    stored). Saved only through `rob_assessment_save`, which also sets the result's
    `risk_of_bias` on the report's scale.
    """

    class Tool(models.TextChoices):
        ROB2 = "rob2", _("RoB 2 (randomised trials)")
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
