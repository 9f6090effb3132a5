"""Factories for grading's models.

Rows only: a category made here has no verdict until a test makes one (VerdictFactory) or
calls `verdict_recompute`; a result made here marks nothing stale. Tests that need the
services' side effects (audit entries, stale marks, recomputes) call the services.
"""

import factory
from django.utils import timezone

from grading.models import (
    Comment,
    Consensus,
    Extraction,
    ExtractionField,
    ExtractionSettings,
    GradeAssessment,
    InterventionCategory,
    ReportSettings,
    ReportSnapshot,
    Result,
    RobAssessment,
    Study,
    Verdict,
    VerdictEvent,
)
from tests.factories.reviewapp import ProjectFactory, TopicAreaFactory, UserFactory


class InterventionCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterventionCategory

    topic_area = factory.SubFactory(TopicAreaFactory)
    key = factory.Sequence(lambda n: f"category-{n}")
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Hidden category {n}")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    topic_area = factory.SubFactory(TopicAreaFactory)
    label = factory.Sequence(lambda n: f"Study {n} (2016)")
    title = factory.LazyAttribute(lambda study: f"Study of {study.label}")
    design = "randomised_individual"


class ResultFactory(factory.django.DjangoModelFactory):
    """A positive, low-risk result; its study is made in its category's topic area.

    Pass the category (`ResultFactory(category=category, study__label="Koning (2009)")`);
    with a study of your own, pass a category of the study's topic area too.
    """

    class Meta:
        model = Result

    category = factory.SubFactory(InterventionCategoryFactory)
    study = factory.SubFactory(
        StudyFactory, topic_area=factory.SelfAttribute("..category.topic_area")
    )
    intervention = "Fewer job seekers per caseworker"
    effect = "Unemployment lower"
    direction = "positive"
    risk_of_bias = "low"


class ExtractionFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtractionField

    project = factory.SubFactory(ProjectFactory)
    key = factory.Sequence(lambda n: f"field-{n}")
    label = factory.Sequence(lambda n: f"Hidden field {n}")
    kind = ExtractionField.Kind.TEXT
    position = factory.Sequence(lambda n: n + 1)


class ExtractionSettingsFactory(factory.django.DjangoModelFactory):
    """A project's extraction settings as the model defaults them (dual extraction off)."""

    class Meta:
        model = ExtractionSettings

    project = factory.SubFactory(ProjectFactory)


class ExtractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extraction

    result = factory.SubFactory(ResultFactory)
    reviewer = factory.SubFactory(UserFactory)
    values = factory.LazyFunction(
        lambda: {"direction": "positive", "risk_of_bias": "low", "quality": "high"}
    )


class ConsensusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consensus

    result = factory.SubFactory(ResultFactory)
    values = factory.LazyFunction(
        lambda: {"direction": "positive", "risk_of_bias": "low", "quality": "high"}
    )
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)


class VerdictFactory(factory.django.DjangoModelFactory):
    """A verdict never computed (as `verdicts_mark_stale` first creates one)."""

    class Meta:
        model = Verdict

    category = factory.SubFactory(InterventionCategoryFactory)


class VerdictEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerdictEvent

    verdict = factory.SubFactory(VerdictFactory)
    kind = VerdictEvent.Kind.COMPUTED
    level = "indication"


class GradeAssessmentFactory(factory.django.DjangoModelFactory):
    """No steps down or up; the body of evidence follows the studies' designs."""

    class Meta:
        model = GradeAssessment

    category = factory.SubFactory(InterventionCategoryFactory)


class RobAssessmentFactory(factory.django.DjangoModelFactory):
    """A RoB 2 assessment judged low overall, with no answers stored."""

    class Meta:
        model = RobAssessment

    result = factory.SubFactory(ResultFactory)
    tool = RobAssessment.Tool.ROB2
    tool_version = "RoB 2 (2019-08-22)"
    overall = "low"


class ReportSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSettings

    topic_area = factory.SubFactory(TopicAreaFactory)


class ReportSnapshotFactory(factory.django.DjangoModelFactory):
    """Tables never built (an empty snapshot)."""

    class Meta:
        model = ReportSnapshot

    topic_area = factory.SubFactory(TopicAreaFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a topic area's flow diagram: a target that needs no other rows."""

    class Meta:
        model = Comment

    project = factory.SubFactory(ProjectFactory)
    topic_area = factory.SubFactory(TopicAreaFactory, project=factory.SelfAttribute("..project"))
    target_kind = Comment.Target.FLOW
    target_id = factory.LazyAttribute(lambda comment: comment.topic_area.pk)
    target_label = factory.LazyAttribute(lambda comment: comment.topic_area.title)
    author = factory.SubFactory(UserFactory)
    body = "Secret comment body"
