"""Factories for screening's models.

A record's topic area is its source's; the factories that need two rows of one topic area
(a duplicate pair's records, an item's stage and record) build them in the same one.
"""

import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from screening.models import (
    BulkAction,
    Claim,
    Decision,
    DuplicatePair,
    FullText,
    ImportJob,
    Label,
    MaybeFlag,
    Ranking,
    Record,
    RecordLabel,
    RecordVersion,
    ScreeningItem,
    Source,
    Stage,
)
from tests.factories.reviewapp import TopicAreaFactory, UserFactory

RIS = b"TY  - JOUR\nTI  - Caseworker caseloads and the duration of unemployment\nER  - \n"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    topic_area = factory.SubFactory(TopicAreaFactory)
    name = "EconLit"
    created_by = factory.SubFactory(UserFactory)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record

    source = factory.SubFactory(SourceFactory)
    topic_area = factory.LazyAttribute(lambda record: record.source.topic_area)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Confidential study title {n}")
    abstract = "A secret abstract about caseloads and unemployment."
    authors = factory.LazyFunction(lambda: ["Hainmueller, Jens", "Hofmann, Barbara"])
    year = 2016
    journal = "Journal of Public Economics"


class RecordVersionFactory(factory.django.DjangoModelFactory):
    """The record as imported, replaced by a correction."""

    class Meta:
        model = RecordVersion

    record = factory.SubFactory(RecordFactory)
    version = 1
    fields = factory.LazyAttribute(lambda version: {"title": version.record.title})
    replaced_by = factory.SubFactory(UserFactory)


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    project = factory.SubFactory("tests.factories.reviewapp.ProjectFactory")
    name = factory.Sequence(lambda n: f"Confidential label {n}")


class RecordLabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordLabel

    record = factory.SubFactory(RecordFactory)
    label = factory.LazyAttribute(lambda link: LabelFactory(project=link.record.topic_area.project))
    added_by = factory.SubFactory(UserFactory)


class DuplicatePairFactory(factory.django.DjangoModelFactory):
    """A pending pair of two records of one source (record_a is created first: a < b)."""

    class Meta:
        model = DuplicatePair

    topic_area = factory.SubFactory(TopicAreaFactory)
    record_a = factory.SubFactory(
        RecordFactory, source__topic_area=factory.SelfAttribute("...topic_area")
    )
    record_b = factory.SubFactory(RecordFactory, source=factory.SelfAttribute("..record_a.source"))
    score = 0.8
    reason = "same title"


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A queued upload of a small RIS file."""

    class Meta:
        model = ImportJob

    topic_area = factory.SubFactory(TopicAreaFactory)
    upload = factory.django.FileField(filename="econlit.ris", data=RIS)
    original_name = "econlit.ris"
    source_name = "EconLit"
    created_by = factory.SubFactory(UserFactory)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    topic_area = factory.SubFactory(TopicAreaFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = "Title and abstract"
    kind = Stage.Kind.ABSTRACT


class ScreeningItemFactory(factory.django.DjangoModelFactory):
    """A pending record at a stage; the record is of the stage's topic area."""

    class Meta:
        model = ScreeningItem

    stage = factory.SubFactory(StageFactory)
    record = factory.SubFactory(
        RecordFactory, source__topic_area=factory.SelfAttribute("...stage.topic_area")
    )


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision row only: the item's status is the services' to derive."""

    class Meta:
        model = Decision

    item = factory.SubFactory(ScreeningItemFactory)
    stage = factory.SelfAttribute("item.stage")
    reviewer = factory.SubFactory(UserFactory)
    value = Decision.Value.INCLUDE


class RankingFactory(factory.django.DjangoModelFactory):
    """A running retrain (as `ranking_retrain` starts one)."""

    class Meta:
        model = Ranking

    stage = factory.SubFactory(StageFactory)
    signature = factory.Sequence(lambda n: f"{n:064x}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    item = factory.SubFactory(ScreeningItemFactory)
    stage = factory.SelfAttribute("item.stage")
    reviewer = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=10))


class MaybeFlagFactory(factory.django.DjangoModelFactory):
    """A reviewer's private maybe on a record (no decision)."""

    class Meta:
        model = MaybeFlag

    item = factory.SubFactory(ScreeningItemFactory)
    stage = factory.SelfAttribute("item.stage")
    reviewer = factory.SubFactory(UserFactory)


class FullTextFactory(factory.django.DjangoModelFactory):
    """A record's PDF; `FullTextFactory(missing=True)`: marked not retrievable, no file."""

    class Meta:
        model = FullText

    class Params:
        missing = factory.Trait(
            not_retrievable=True, file="", original_name="", size=0, sha256="", note="Not found"
        )

    record = factory.SubFactory(RecordFactory)
    file = factory.django.FileField(filename="study.pdf", data=PDF)
    original_name = "study.pdf"
    size = len(PDF)
    sha256 = hashlib.sha256(PDF).hexdigest()
    not_retrievable = False
    uploaded_by = factory.SubFactory(UserFactory)


class BulkActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BulkAction

    stage = factory.SubFactory(StageFactory)
    kind = BulkAction.Kind.EXCLUDE
    reason = "Wrong population"
    actor = factory.SubFactory(UserFactory)
