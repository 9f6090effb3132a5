"""Screening's API views: validate with a serializer, call one service, answer with the resource.

Permissions are the pages' (see reviewapp.api.base.ProjectScoped and docs/api.md); every
write goes through the service the page's view calls, so audit entries, locks, recomputation
and version checks are the same whichever way a change comes in.
"""

from functools import cached_property

from django.db.models import CharField, F, Q, Value
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.api.base import TopicScoped, expected_version, query_filters, validated
from reviewapp.api.errors import Closed
from reviewapp.api.permissions import ProjectScoped
from reviewapp.views import page_language
from screening import flow
from screening import queries as screening_queries
from screening.api import serializers as s
from screening.models import ImportJob, MaybeFlag, ScreeningItem, Source, Stage
from screening.parsers import ParseError, csv_columns
from screening.services import bin as bin_services
from screening.services import duplicates as duplicate_services
from screening.services import imports as import_services
from screening.services import labels as label_services
from screening.services import records as record_services
from screening.services import screening as screening_services


class SourceViewSet(TopicScoped):
    """Where the records came from, with records and duplicates counted. A lead removes an
    import (to the bin, with its records and what screening built on them) and restores it."""

    serializer_class = s.SourceSerializer

    def topic_queryset(self):
        return screening_queries.sources_with_counts(self.topic_area)

    def _removable(self, source):
        """The source, if the user may remove and restore it (`can_remove_import`)."""
        source.topic_area = self.topic_area
        if not self.request.user.has_perm("screening.remove_import", source):
            raise exceptions.PermissionDenied()
        return source

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, topic_key, pk):
        """Put the import in the bin (a lead): its records leave every queue, count and
        duplicate list; its decisions stay for the audit."""
        bin_services.source_delete(source=self._removable(self.get_object()), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, topic_key, pk):
        """Take the import out of the bin with exactly the rows that went in with it (a lead);
        its records enter stages set up meanwhile."""
        binned = Source.all_objects.filter(topic_area=self.topic_area)
        source = self._removable(get_object_or_404(binned, pk=pk))
        bin_services.source_restore(source=source, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=source.pk)).data)


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": s.ImportCreateSerializer},
        responses={201: s.ImportJobSerializer},
    ),
    mapping=extend_schema(
        request={"application/json": s.ImportMappingSerializer}, responses=s.ImportJobSerializer
    ),
    confirm=extend_schema(request=None, responses=s.ImportJobSerializer),
    discard=extend_schema(request=None, responses=s.ImportJobSerializer),
)
class ImportViewSet(TopicScoped):
    """Upload an export file; the import runs in the background: poll the job's status."""

    serializer_class = s.ImportJobSerializer
    parser_classes = [JSONParser, MultiPartParser]  # the upload is a file
    action_permissions = dict.fromkeys(
        ["create", "mapping", "confirm", "discard"], "screening.import_records"
    )

    def topic_queryset(self):
        return self.topic_area.import_jobs.select_related("topic_area")

    def create(self, request, project_slug, topic_key):
        data = validated(s.ImportCreateSerializer, request.data)
        job = import_services.import_job_create(
            topic_area=self.topic_area, actor=request.user, **data
        )
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def mapping(self, request, project_slug, topic_key, pk):
        """Which CSV column holds which record field, for a job waiting for it."""
        job = self.get_object()
        if job.status != ImportJob.Status.NEEDS_MAPPING:
            raise Closed(_("This import is not waiting for a column mapping."))
        try:
            columns = csv_columns(job.upload.path)
        except ParseError as error:
            raise exceptions.ValidationError({"mapping": [str(error)]}) from None
        data = validated(s.ImportMappingSerializer, request.data, context={"columns": columns})
        job = import_services.import_job_set_mapping(job=job, mapping=data["mapping"])
        return Response(self.get_serializer(job).data)

    def _settle(self, service):
        job = self.get_object()
        if not self.request.user.has_perm("screening.settle_import", job):
            raise exceptions.PermissionDenied()
        job = service(job=job, actor=self.request.user)
        return Response(self.get_serializer(job).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, project_slug, topic_key, pk):
        """Store an import waiting in `needs_confirmation`, with the entries its summary
        lists as repaired or skipped (the job is queued again)."""
        return self._settle(import_services.import_job_confirm)

    @action(detail=True, methods=["post"])
    def discard(self, request, project_slug, topic_key, pk):
        """Refuse an import waiting in `needs_confirmation`: nothing of it is stored."""
        return self._settle(import_services.import_job_discard)


@extend_schema_view(
    unmerge=extend_schema(request=None, responses=s.RecordSerializer),
    partial_update=extend_schema(request=s.RecordUpdateSerializer),
    labels=extend_schema(request=s.LabelNameSerializer, responses=s.RecordSerializer),
    labels_remove=extend_schema(request=s.LabelNameSerializer, responses=s.RecordSerializer),
)
class RecordViewSet(TopicScoped):
    """Records with filters; a merged duplicate points at its canonical record. Leads and
    reviewers correct a record's bibliographic data (PATCH, with the version read)."""

    serializer_class = s.RecordSerializer
    query_serializers = {"list": s.RecordFilterSerializer}
    action_permissions = {
        "unmerge": "screening.resolve_duplicates",
        "partial_update": "screening.change_record",
        "labels": "screening.label_records",
        "labels_remove": "screening.label_records",
    }

    def topic_queryset(self):
        return self.topic_area.records.prefetch_related("record_labels__label").order_by("id")

    def filter_queryset(self, queryset):
        no_stage = Value(None, output_field=CharField())
        if self.action != "list":
            return queryset.annotate(stage_status=no_stage)
        filters = query_filters(self)
        if "source" in filters:
            queryset = queryset.filter(source_id=filters["source"])
        if filters.get("duplicate") is not None:
            queryset = queryset.filter(canonical__isnull=not filters["duplicate"])
        if filters.get("search"):
            words = filters["search"]
            queryset = queryset.filter(Q(title__icontains=words) | Q(abstract__icontains=words))
        if "stage" not in filters:
            return queryset.annotate(stage_status=no_stage)
        at_stage = {"screening_items__stage_id": filters["stage"]}
        if filters.get("status"):
            at_stage["screening_items__status"] = filters["status"]
        # One filter() call, so the annotation reads the row of the same join.
        return queryset.filter(**at_stage).annotate(stage_status=F("screening_items__status"))

    def partial_update(self, request, project_slug, topic_key, pk):
        record = self.get_object()
        data = validated(s.RecordUpdateSerializer, request.data, partial=True)
        version = expected_version(request, data)
        record.topic_area = self.topic_area
        record_services.record_update(
            record=record, actor=request.user, expected_version=version, **data
        )
        return self._answer(record)

    def _answer(self, record):
        saved = self.filter_queryset(self.get_queryset()).get(pk=record.pk)
        return Response(self.get_serializer(saved).data)

    @action(detail=True, methods=["post"])
    def labels(self, request, project_slug, topic_key, pk):
        """Put a label on the record, by name (a new name creates the project's label)."""
        record = self.get_object()
        record.topic_area = self.topic_area
        name = validated(s.LabelNameSerializer, request.data)["name"]
        label_services.record_label_add(record=record, actor=request.user, name=name)
        return self._answer(record)

    @action(detail=True, methods=["post"], url_path="labels/remove")
    def labels_remove(self, request, project_slug, topic_key, pk):
        """Take a label off the record, by name."""
        record = self.get_object()
        record.topic_area = self.topic_area
        name = validated(s.LabelNameSerializer, request.data)["name"]
        label = label_services.label_named(project=self.project, name=name)
        if label is None:
            raise exceptions.ValidationError({"name": [_("The project has no such label.")]})
        label_services.record_label_remove(record=record, actor=request.user, label=label)
        return self._answer(record)

    @action(detail=True, methods=["post"])
    def unmerge(self, request, project_slug, topic_key, pk):
        """Undo a merge: the record is separate again, and never merged back."""
        record = duplicate_services.record_unmerge(record=self.get_object(), actor=request.user)
        return Response(self.get_serializer(record).data)


@extend_schema_view(
    confirm=extend_schema(request=None),
    reject=extend_schema(request=None),
)
class DuplicateViewSet(TopicScoped):
    """Pairs de-duplication was unsure about (pending by default); leads decide them."""

    serializer_class = s.DuplicatePairSerializer
    query_serializers = {"list": s.DuplicateFilterSerializer}
    action_permissions = dict.fromkeys(["confirm", "reject"], "screening.resolve_duplicates")

    def topic_queryset(self):
        return self.topic_area.duplicate_pairs.select_related(
            "record_a__source", "record_b__source"
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return queryset.filter(status=query_filters(self)["status"])

    @action(detail=True, methods=["post"])
    def confirm(self, request, project_slug, topic_key, pk):
        """The two records are one: merged (undo with the record's unmerge)."""
        pair = duplicate_services.duplicate_pair_confirm(pair=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=pair.pk)).data)

    @action(detail=True, methods=["post"])
    def reject(self, request, project_slug, topic_key, pk):
        """The two records stay apart, and are never proposed again."""
        pair = duplicate_services.duplicate_pair_reject(pair=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=pair.pk)).data)


@extend_schema_view(
    set_up=extend_schema(request=s.StagesSetUpSerializer, responses=s.StageSerializer(many=True))
)
class StageViewSet(TopicScoped):
    """Screening stages with their progress; leads set them up and edit them."""

    serializer_class = s.StageSerializer
    action_permissions = dict.fromkeys(["partial_update", "set_up"], "screening.manage_stages")

    def topic_queryset(self):
        return screening_queries.stages_with_progress(self.topic_area).prefetch_related("reviewers")

    def partial_update(self, request, project_slug, topic_key, pk):
        stage = self.get_object()
        data = validated(s.StageSerializer, request.data, partial=True, project=self.project)
        version = expected_version(request, data)
        reviewers = data.pop("reviewers", None)
        screening_services.stage_update(
            stage=stage,
            actor=request.user,
            expected_version=version,
            reviewer_ids=None if reviewers is None else [user.pk for user in reviewers],
            **data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=stage.pk)).data)

    @action(detail=False, methods=["post"], url_path="set-up", pagination_class=None)
    def set_up(self, request, project_slug, topic_key):
        """Create the stages of a preset (until the first decision); records enter the first."""
        data = validated(s.StagesSetUpSerializer, request.data)
        screening_services.stages_set_up(
            topic_area=self.topic_area, actor=request.user, preset=data["preset"]
        )
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class StageScoped(TopicScoped):
    """Under one stage: /api/projects/<slug>/topic-areas/<key>/stages/<stage_id>/..."""

    def resolve_scope(self) -> None:
        super().resolve_scope()
        self.stage  # noqa: B018 (a cached_property: looked up, or 404)

    @cached_property
    def stage(self) -> Stage:
        stage = get_object_or_404(Stage, topic_area=self.topic_area, pk=self.kwargs["stage_id"])
        stage.topic_area = self.topic_area
        return stage


@extend_schema_view(
    create=extend_schema(request=s.DecisionCreateSerializer, responses={201: s.DecisionSerializer}),
    undo=extend_schema(request=None, responses=s.DecisionUndoSerializer),
)
class DecisionViewSet(StageScoped):
    """Decisions at a stage. A reviewer records (or changes) their own, by record id, and
    takes back their latest."""

    serializer_class = s.DecisionSerializer
    action_permissions = dict.fromkeys(["create", "undo"], "screening.screen")

    def topic_queryset(self):
        # Blinding: the decisions the user may see (`can_see_others_decisions`).
        decisions = screening_queries.decisions_visible_to(
            self.request.user, self.stage
        ).select_related("item", "reviewer")
        return decisions.order_by("decided_at", "id")

    def create(self, request, project_slug, topic_key, stage_id):
        data = validated(s.DecisionCreateSerializer, request.data)
        item = ScreeningItem.objects.filter(stage=self.stage, record_id=data.pop("record")).first()
        if item is None:
            raise exceptions.ValidationError({"record": [_("The record is not at this stage.")]})
        item.stage = self.stage
        decision = screening_services.decision_record(item=item, reviewer=request.user, **data)
        decision.reviewer = request.user
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], pagination_class=None)
    def undo(self, request, project_slug, topic_key, stage_id):
        """Take back your latest decision at the stage (the screening page's *Undo*): the
        record is open to you again, first in your queue."""
        item = screening_services.decision_undo(stage=self.stage, reviewer=request.user)
        return Response(s.DecisionUndoSerializer({"undone": item and item.undone}).data)


@extend_schema_view(
    resolve=extend_schema(request=s.ResolutionSerializer),
    reopen=extend_schema(request=None),
    maybe=extend_schema(request=s.MaybeCreateSerializer, responses=s.MaybeFlagSerializer),
)
class ItemViewSet(StageScoped):
    """Records at a stage with their status, filtered as the stage's list of records on its
    page; ?status=conflict lists the conflicts, which leads resolve (or reopen)."""

    serializer_class = s.ItemSerializer
    query_serializers = {"list": s.StageRecordFilterSerializer}
    action_permissions = {
        **dict.fromkeys(["resolve", "reopen"], "screening.resolve_conflicts"),
        "maybe": "screening.screen",
    }

    def topic_queryset(self):
        # Blinding: each item's decisions are those the user may see.
        return screening_queries.stage_items(self.stage, viewer=self.request.user)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = query_filters(self, context={"stage": self.stage})
        return screening_queries.stage_items_filtered(
            self.stage, viewer=self.request.user, filters=filters
        )

    def _item(self) -> ScreeningItem:
        item = self.get_object()
        item.stage = self.stage
        return item

    def _answer(self, item):
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def resolve(self, request, project_slug, topic_key, stage_id, pk):
        item = self._item()  # an unknown item is 404 before the body is read
        data = validated(s.ResolutionSerializer, request.data)
        item = screening_services.conflict_resolve(item=item, actor=request.user, **data)
        return self._answer(item)

    @action(detail=True, methods=["post"])
    def maybe(self, request, project_slug, topic_key, stage_id, pk):
        """Put the record on your private maybe pile (the screening page's *Maybe*): not a
        decision; it stays pending and comes back last in your queue, until you decide it."""
        item = self._item()
        note = validated(s.MaybeCreateSerializer, request.data)["note"]
        # The page's round trip: the service hands (and holds) the next record too.
        screening_services.screening_maybe(
            stage=self.stage, item_id=item.pk, reviewer=request.user, note=note
        )
        flag = MaybeFlag.objects.get(item=item, reviewer=request.user)
        return Response(s.MaybeFlagSerializer(flag).data)

    @action(detail=True, methods=["post"])
    def reopen(self, request, project_slug, topic_key, stage_id, pk):
        item = screening_services.screening_item_reopen(item=self._item(), actor=request.user)
        return self._answer(item)


class AgreementView(ProjectScoped, APIView):
    """Agreement of each pair of reviewers on the records both decided, per dual stage."""

    @extend_schema(responses=s.AgreementSerializer(many=True))
    def get(self, request, project_slug, topic_key):
        stages = self.topic_area.stages.order_by("position")
        rows = screening_queries.agreement_rows(
            stages, screening_queries.reviewer_names(self.project)
        )
        return Response(s.AgreementSerializer(rows, many=True).data)


class FlowView(ProjectScoped, APIView):
    """The PRISMA 2020 flow counts, their checks, and what is still undecided."""

    @extend_schema(responses=s.FlowSerializer)
    def get(self, request, project_slug, topic_key):
        language = page_language()
        counts, undecided = screening_queries.topic_area_flow(self.topic_area, language)
        index = 0 if language == "da" else 1
        problems = [
            {
                "code": problem.code,
                "severity": str(problem.severity),
                "box": problem.box,
                "expected": problem.expected,
                "actual": problem.actual,
                "message": problem.message[index],
            }
            for problem in flow.flow_check(counts)
        ]
        body = {"rows": flow.flow_prisma_csv(counts), "problems": problems, "undecided": undecided}
        return Response(s.FlowSerializer(body).data)
