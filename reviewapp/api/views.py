"""API views: validate with a serializer, call one service, answer with the resource.

Permissions are the pages' (see permissions.ProjectScoped and docs/api.md); every write
goes through the service the page's view calls, so audit entries, locks, recomputation and
version checks are the same whichever way a change comes in.
"""

from functools import cached_property

from django.db.models import CharField, Count, F, Prefetch, Q, Value
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from grading.models import Comment, ExtractionField, Result, Verdict, VerdictEvent
from grading.queries import report as queries_report
from grading.queries import verdicts as grading_queries
from grading.services import comments as grading_comments
from grading.services import report as services_report
from grading.services import studies as grading_services
from grading.services import verdicts as grading_verdicts
from reviewapp import services
from reviewapp.api import serializers as s
from reviewapp.api.errors import Closed, VersionRequired
from reviewapp.api.permissions import ApiView, ProjectScoped
from reviewapp.models import Membership
from reviewapp.queries import memberships_for_project, projects_for_user
from reviewapp.views import page_language
from screening import flow
from screening import queries as screening_queries
from screening import services as screening_services
from screening.models import Decision, ImportJob, Record, ScreeningItem, Stage
from screening.parsers import ParseError, csv_columns

EDIT_PROJECT = "reviewapp.change_project"
REVIEW_WORK = "reviewapp.do_review_work"


def expected_version(request, data: dict) -> int:
    """The version the client read: the body's `version`, else an If-Match header."""
    version = data.pop("version", None)
    if version is None:
        match = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        version = int(match) if match.isdigit() else None
    if version is None:
        raise VersionRequired()
    return version


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def query_filters(serializer_class, request) -> dict:
    """The list's filters from the query string; a bad one is a 400 naming it."""
    return validated(serializer_class, request.query_params)


class ProjectViewSet(ApiView, viewsets.GenericViewSet):
    """Your projects. Any user may create one (and becomes its lead); leads edit it."""

    serializer_class = s.ProjectSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "project_slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return s.Project.objects.none()
        return projects_for_user(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        data = validated(s.ProjectSerializer, request.data)
        data.pop("version", None)
        project = services.project_create(creator=request.user, **data)
        body = self.get_serializer(self.get_queryset().get(pk=project.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug):
        project = self.get_object()
        if not request.user.has_perm(EDIT_PROJECT, project):
            raise exceptions.PermissionDenied()
        data = validated(s.ProjectSerializer, request.data, instance=project, partial=True)
        version = expected_version(request, data)
        services.project_update(
            project=project, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data)


@extend_schema_view(
    create=extend_schema(request=s.MembershipCreateSerializer),
    partial_update=extend_schema(request=s.MembershipRoleSerializer),
)
class MembershipViewSet(ProjectScoped, viewsets.GenericViewSet):
    """The project's members and their roles; leads add, change and remove them."""

    lookup_value_regex = "[0-9]+"

    serializer_class = s.MembershipSerializer
    action_permissions = dict.fromkeys(
        ["create", "partial_update", "destroy"], "reviewapp.manage_members"
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return memberships_for_project(self.project)

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, project_slug):
        data = validated(s.MembershipCreateSerializer, request.data)
        membership = services.membership_add(
            project=self.project, user=data["username"], role=data["role"], actor=request.user
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, pk):
        membership = self.get_object()
        data = validated(s.MembershipRoleSerializer, request.data)
        membership = services.membership_change_role(
            membership=membership, role=data["role"], actor=request.user
        )
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, project_slug, pk):
        services.membership_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicAreaViewSet(ProjectScoped, viewsets.GenericViewSet):
    """Topic areas (review questions) with their PICOS, search terms and limits."""

    serializer_class = s.TopicAreaSerializer
    lookup_field = "key"
    lookup_url_kwarg = "topic_key"
    action_permissions = dict.fromkeys(["create", "partial_update"], "reviewapp.change_topicarea")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return s.TopicArea.objects.none()
        return self.project.topic_areas.all()

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, topic_key):
        return Response(self.get_serializer(self.topic_area).data)

    def create(self, request, project_slug):
        data = validated(s.TopicAreaSerializer, request.data)
        data.pop("version", None)
        topic_area = services.topic_area_create(project=self.project, actor=request.user, **data)
        return Response(self.get_serializer(topic_area).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, topic_key):
        data = validated(s.TopicAreaSerializer, request.data, partial=True)
        version = expected_version(request, data)
        topic_area = services.topic_area_update(
            topic_area=self.topic_area, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(topic_area).data)


@extend_schema_view(partial_update=extend_schema(request=s.ExtractionFieldActiveSerializer))
class ExtractionFieldViewSet(ProjectScoped, viewsets.GenericViewSet):
    """The project's own extraction fields; their values are the results' `extra`."""

    lookup_value_regex = "[0-9]+"

    serializer_class = s.ExtractionFieldSerializer
    action_permissions = dict.fromkeys(
        ["create", "partial_update"], "grading.manage_extraction_form"
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExtractionField.objects.none()
        return self.project.extraction_fields.all()

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, project_slug):
        data = validated(s.ExtractionFieldSerializer, request.data)
        field = grading_services.extraction_field_create(
            project=self.project, actor=request.user, **data
        )
        return Response(self.get_serializer(field).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, pk):
        data = validated(s.ExtractionFieldActiveSerializer, request.data)
        field = grading_services.extraction_field_set_active(
            field=self.get_object(), actor=request.user, active=data["active"]
        )
        return Response(self.get_serializer(field).data)


class TopicScoped(ProjectScoped, viewsets.GenericViewSet):
    """A list (and its items) of one topic area: /api/projects/<slug>/topic-areas/<key>/..."""

    lookup_value_regex = "[0-9]+"

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.topic_queryset()


class SourceViewSet(TopicScoped):
    """Where the records came from, with records and duplicates counted (read only)."""

    serializer_class = s.SourceSerializer

    def topic_queryset(self):
        return screening_queries.sources_with_counts(self.topic_area)


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": s.ImportCreateSerializer},
        responses={201: s.ImportJobSerializer},
    ),
    mapping=extend_schema(request=s.ImportMappingSerializer, responses=s.ImportJobSerializer),
)
class ImportViewSet(TopicScoped):
    """Upload an export file; the import runs in the background: poll the job's status."""

    serializer_class = s.ImportJobSerializer
    action_permissions = dict.fromkeys(["create", "mapping"], "screening.import_records")

    def topic_queryset(self):
        return self.topic_area.import_jobs.select_related("topic_area")

    def create(self, request, project_slug, topic_key):
        data = validated(s.ImportCreateSerializer, request.data)
        job = screening_services.import_job_create(
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
        job = screening_services.import_job_set_mapping(job=job, mapping=data["mapping"])
        return Response(self.get_serializer(job).data)


@extend_schema_view(
    list=extend_schema(parameters=[s.RecordFilterSerializer]),
    unmerge=extend_schema(request=None, responses=s.RecordSerializer),
)
class RecordViewSet(TopicScoped):
    """Records with filters; a merged duplicate points at its canonical record."""

    serializer_class = s.RecordSerializer
    action_permissions = {"unmerge": "screening.resolve_duplicates"}

    def topic_queryset(self):
        return self.topic_area.records.order_by("id")

    def filter_queryset(self, queryset):
        no_stage = Value(None, output_field=CharField())
        if self.action != "list":
            return queryset.annotate(stage_status=no_stage)
        filters = query_filters(s.RecordFilterSerializer, self.request)
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

    @action(detail=True, methods=["post"])
    def unmerge(self, request, project_slug, topic_key, pk):
        """Undo a merge: the record is separate again, and never merged back."""
        record = screening_services.record_unmerge(record=self.get_object(), actor=request.user)
        return Response(self.get_serializer(record).data)


@extend_schema_view(
    list=extend_schema(parameters=[s.DuplicateFilterSerializer]),
    confirm=extend_schema(request=None),
    reject=extend_schema(request=None),
)
class DuplicateViewSet(TopicScoped):
    """Pairs de-duplication was unsure about (pending by default); leads decide them."""

    serializer_class = s.DuplicatePairSerializer
    action_permissions = dict.fromkeys(["confirm", "reject"], "screening.resolve_duplicates")

    def topic_queryset(self):
        return self.topic_area.duplicate_pairs.select_related(
            "record_a__source", "record_b__source"
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return queryset.filter(
            status=query_filters(s.DuplicateFilterSerializer, self.request)["status"]
        )

    @action(detail=True, methods=["post"])
    def confirm(self, request, project_slug, topic_key, pk):
        """The two records are one: merged (undo with the record's unmerge)."""
        pair = screening_services.duplicate_pair_confirm(pair=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=pair.pk)).data)

    @action(detail=True, methods=["post"])
    def reject(self, request, project_slug, topic_key, pk):
        """The two records stay apart, and are never proposed again."""
        pair = screening_services.duplicate_pair_reject(pair=self.get_object(), actor=request.user)
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

    @action(detail=False, methods=["post"], url_path="set-up")
    def set_up(self, request, project_slug, topic_key):
        """Create the stages of a preset (until the first decision); records enter the first."""
        data = validated(s.StagesSetUpSerializer, request.data)
        screening_services.stages_set_up(
            topic_area=self.topic_area, actor=request.user, preset=data["preset"]
        )
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class StageScoped(TopicScoped):
    """Under one stage: /api/projects/<slug>/topic-areas/<key>/stages/<stage_id>/..."""

    @cached_property
    def stage(self) -> Stage:
        stage = get_object_or_404(Stage, topic_area=self.topic_area, pk=self.kwargs["stage_id"])
        stage.topic_area = self.topic_area
        return stage

    def blind_for(self):
        """At a blind (dual) stage a reviewer sees only their own decisions; leads and
        peer reviewers see everyone's, as on the stage's records page."""
        if (
            self.stage.dual
            and not self.can("screening.resolve_conflicts")
            and self.can("screening.screen")
        ):
            return self.request.user
        return None


@extend_schema_view(
    create=extend_schema(request=s.DecisionCreateSerializer, responses={201: s.DecisionSerializer})
)
class DecisionViewSet(StageScoped):
    """Decisions at a stage. A reviewer records (or changes) their own, by record id."""

    serializer_class = s.DecisionSerializer
    action_permissions = {"create": "screening.screen"}

    def topic_queryset(self):
        decisions = Decision.objects.filter(item__stage=self.stage).select_related(
            "item", "reviewer"
        )
        blind_for = self.blind_for()
        if blind_for is not None:
            decisions = decisions.filter(reviewer=blind_for)
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


@extend_schema_view(
    list=extend_schema(parameters=[s.ItemFilterSerializer]),
    resolve=extend_schema(request=s.ResolutionSerializer),
    reopen=extend_schema(request=None),
)
class ItemViewSet(StageScoped):
    """Records at a stage with their status; ?status=conflict lists the conflicts, which
    leads resolve (or reopen)."""

    serializer_class = s.ItemSerializer
    action_permissions = dict.fromkeys(["resolve", "reopen"], "screening.resolve_conflicts")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["blind_for"] = self.blind_for()
        return context

    def topic_queryset(self):
        return screening_queries.stage_items(self.stage)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        wanted = query_filters(s.ItemFilterSerializer, self.request).get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    def _item(self) -> ScreeningItem:
        item = self.get_object()
        item.stage = self.stage
        return item

    def _answer(self, item):
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def resolve(self, request, project_slug, topic_key, stage_id, pk):
        data = validated(s.ResolutionSerializer, request.data)
        item = screening_services.conflict_resolve(item=self._item(), actor=request.user, **data)
        return self._answer(item)

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


class StudyViewSet(TopicScoped):
    """Included studies; reviewers and leads enter and edit them."""

    serializer_class = s.StudySerializer
    action_permissions = dict.fromkeys(["create", "partial_update"], "grading.extract")

    def topic_queryset(self):
        return (
            self.topic_area.studies.annotate(result_count=Count("results"))
            .prefetch_related(Prefetch("records", queryset=Record.objects.only("id")))
            .order_by("year", "label", "id")
        )

    def create(self, request, project_slug, topic_key):
        data = validated(s.StudySerializer, request.data, topic_area=self.topic_area)
        data.pop("version", None)
        study = grading_services.study_create(
            topic_area=self.topic_area, actor=request.user, **data
        )
        body = self.get_serializer(self.get_queryset().get(pk=study.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, topic_key, pk):
        study = self.get_object()
        data = validated(s.StudySerializer, request.data, partial=True, topic_area=self.topic_area)
        version = expected_version(request, data)
        if "records" in data:
            raise exceptions.ValidationError(
                {"records": [_("A study's records are set when it is created.")]}
            )
        study.topic_area = self.topic_area
        grading_services.study_update(
            study=study, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=study.pk)).data)


@extend_schema_view(list=extend_schema(parameters=[s.ResultFilterSerializer]))
class ResultViewSet(TopicScoped):
    """Results of the studies, one per intervention; saving one recomputes its verdict."""

    serializer_class = s.ResultSerializer
    action_permissions = dict.fromkeys(["create", "partial_update"], "grading.extract")

    def topic_queryset(self):
        return (
            Result.objects.filter(study__topic_area=self.topic_area)
            .select_related("category", "study")
            .order_by("study_id", "id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = query_filters(s.ResultFilterSerializer, self.request)
        if "study" in filters:
            queryset = queryset.filter(study_id=filters["study"])
        if "category" in filters:
            queryset = queryset.filter(category__key=filters["category"])
        return queryset

    def create(self, request, project_slug, topic_key):
        data = validated(s.ResultSerializer, request.data, topic_area=self.topic_area)
        data.pop("version", None)
        study = data.pop("study")
        study.topic_area = self.topic_area
        result = grading_services.result_save(study=study, actor=request.user, **data)
        body = self.get_serializer(self.get_queryset().get(pk=result.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, topic_key, pk):
        result = self.get_object()
        data = validated(s.ResultSerializer, request.data, partial=True, topic_area=self.topic_area)
        version = expected_version(request, data)
        if data.pop("study", result.study) != result.study:
            raise exceptions.ValidationError({"study": [_("A result stays with its study.")]})
        study = result.study
        study.topic_area = self.topic_area
        grading_services.result_save(
            study=study, actor=request.user, result=result, expected_version=version, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)


class CategoryViewSet(TopicScoped):
    """Intervention categories: the unit a verdict is given for. Leads add them."""

    lookup_value_regex = "[-a-zA-Z0-9_]+"

    serializer_class = s.CategorySerializer
    lookup_field = "key"
    lookup_url_kwarg = "category_key"
    action_permissions = {"create": "grading.manage_categories"}

    def topic_queryset(self):
        return grading_queries.categories_with_verdicts(self.topic_area).order_by("position", "id")

    def create(self, request, project_slug, topic_key):
        data = validated(s.CategorySerializer, request.data)
        category = grading_verdicts.category_create(
            topic_area=self.topic_area, actor=request.user, **data
        )
        body = self.get_serializer(self.get_queryset().get(pk=category.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(responses=s.VerdictDetailSerializer),
    final=extend_schema(request=s.VerdictFinalSerializer, responses=s.VerdictDetailSerializer),
)
class VerdictViewSet(TopicScoped):
    """Verdicts of the graded categories: computed level and its trace, the final level a
    lead set and why, and (one verdict) its history."""

    serializer_class = s.VerdictSerializer
    lookup_field = "category__key"
    lookup_url_kwarg = "category_key"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    action_permissions = {"final": "grading.set_final_verdict"}

    def get_serializer_class(self):
        return s.VerdictSerializer if self.action == "list" else s.VerdictDetailSerializer

    def topic_queryset(self):
        verdicts = Verdict.objects.filter(category__topic_area=self.topic_area).select_related(
            "category", "decided_by"
        )
        if self.action != "list":
            events = VerdictEvent.objects.select_related("actor")
            verdicts = verdicts.prefetch_related(Prefetch("events", queryset=events))
        return verdicts.order_by("category__position", "category_id")

    @action(detail=True, methods=["post"])
    def final(self, request, project_slug, topic_key, category_key):
        """Set the final level (empty: the computed one stands); a different level needs a
        rationale."""
        verdict = self.get_object()
        data = validated(s.VerdictFinalSerializer, request.data)
        version = expected_version(request, data)
        grading_verdicts.verdict_set_final(
            verdict=verdict, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=verdict.pk)).data)


# url name, format, and which kwargs beyond the topic area's; see ExportsView.
TOPIC_EXPORTS = [
    ("flow_svg", "svg"),
    ("flow_csv", "csv"),
    ("agreement_csv", "csv"),
]


class ExportsView(ProjectScoped, APIView):
    """Links to every export of the topic area (the same files as the pages' buttons)."""

    @extend_schema(responses=s.ExportLinkSerializer(many=True))
    def get(self, request, project_slug, topic_key):
        kwargs = {"slug": self.project.slug, "topic_key": self.topic_area.key}
        links = [
            {"name": name, "format": fmt, "url": reverse(name, kwargs=kwargs)}
            for name, fmt in TOPIC_EXPORTS
        ]
        for category in self.topic_area.categories.all():
            for tool in ("rob2", "robins_i"):
                for chart in ("traffic_light", "summary"):
                    name = f"rob_{chart}_svg"
                    links.append(
                        {
                            "name": f"{name}:{category.key}:{tool}",
                            "format": "svg",
                            "url": reverse(
                                name, kwargs={**kwargs, "category_key": category.key, "tool": tool}
                            ),
                        }
                    )
        report = reverse("report_export", kwargs={"slug": self.project.slug})
        links += [
            {"name": f"report:{fmt}", "format": fmt, "url": f"{report}?format={fmt}"}
            for fmt in services_report.EXPORT_FORMATS
        ]
        for link in links:
            link["url"] = request.build_absolute_uri(link["url"])
        return Response(s.ExportLinkSerializer(links, many=True).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Any other address under /api/: a 404 in the API's error shape, not an HTML page."""
    raise exceptions.NotFound()


class ReportView(ProjectScoped, APIView):
    """The report's tables as JSON, per topic area, as stored (rebuilt where missing)."""

    action_permissions = {"get": "grading.view_report"}

    @extend_schema(responses=s.ReportTablesSerializer(many=True))
    def get(self, request, project_slug):
        entries = services_report.report_tables_for(self.project)
        return Response(s.ReportTablesSerializer(entries, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[s.CommentFilterSerializer]),
    create=extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer}),
    reply=extend_schema(request=s.CommentReplySerializer, responses={201: s.CommentSerializer}),
    resolve=extend_schema(request=s.CommentResolveSerializer),
)
class CommentViewSet(ProjectScoped, viewsets.GenericViewSet):
    """Comments on verdicts, categories, studies, results and flow diagrams: any member
    comments (peer reviewers too); the thread's author or a lead replies; leads resolve."""

    serializer_class = s.CommentSerializer
    lookup_value_regex = "[0-9]+"
    action_permissions = {
        "create": "grading.comment",
        "reply": "grading.comment",
        "resolve": "grading.resolve_comment",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return queries_report.comments_for(self.project)

    def list(self, request, project_slug):
        comments = self.get_queryset()
        if query_filters(s.CommentFilterSerializer, request).get("open"):
            comments = comments.filter(parent__isnull=True, resolved_at__isnull=True)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, project_slug):
        data = validated(s.CommentCreateSerializer, request.data)
        comment = grading_comments.comment_create(project=self.project, author=request.user, **data)
        body = self.get_serializer(self.get_queryset().get(pk=comment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reply(self, request, project_slug, pk):
        data = validated(s.CommentReplySerializer, request.data)
        reply = grading_comments.comment_reply(
            comment=self.get_object(), author=request.user, body=data["body"]
        )
        body = self.get_serializer(self.get_queryset().get(pk=reply.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resolve(self, request, project_slug, pk):
        data = validated(s.CommentResolveSerializer, request.data)
        comment = grading_comments.comment_resolve(
            comment=self.get_object(), actor=request.user, resolved=data["resolved"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=comment.pk)).data)
