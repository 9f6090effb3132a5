"""Grading's API views: validate with a serializer, call one service, answer with the resource.

Permissions are the pages' (see reviewapp.api.base.ProjectScoped and docs/api.md); every
write goes through the service the page's view calls, so audit entries, locks, recomputation
and version checks are the same whichever way a change comes in.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from grading.api import serializers as s
from grading.models import (
    Comment,
    ExtractionField,
    InterventionCategory,
    Result,
    Study,
    Verdict,
    VerdictEvent,
)
from grading.queries import report as queries_report
from grading.queries import verdicts as grading_queries
from grading.queries.studies import count_live_results
from grading.services import comments as grading_comments
from grading.services import report as services_report
from grading.services import studies as grading_services
from grading.services import verdicts as grading_verdicts
from reviewapp.api.base import TopicScoped, expected_version, query_filters, validated
from reviewapp.api.permissions import ProjectScoped
from screening.models import Record


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


class StudyViewSet(TopicScoped):
    """Included studies; reviewers and leads enter and edit them."""

    serializer_class = s.StudySerializer
    action_permissions = dict.fromkeys(["create", "partial_update"], "grading.extract")

    def topic_queryset(self):
        return (
            self.topic_area.studies.annotate(result_count=count_live_results())
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

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, topic_key, pk):
        """Put the study in the bin with its results (a lead); the verdicts are recomputed."""
        study = deletable(request, self.get_object(), self.topic_area)
        grading_services.study_delete(study=study, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, topic_key, pk):
        """Take the study out of the bin with the results deleted with it (a lead)."""
        binned = Study.all_objects.filter(topic_area=self.topic_area)
        study = deletable(request, get_object_or_404(binned, pk=pk), self.topic_area)
        grading_services.study_restore(study=study, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=study.pk)).data)


def deletable(request, obj, topic_area):
    """The study or result, if the user may delete and restore it (`can_delete_study`)."""
    study = obj.study if isinstance(obj, Result) else obj
    study.topic_area = topic_area
    if not request.user.has_perm("grading.delete_study", study):
        raise exceptions.PermissionDenied()
    return obj


class ResultViewSet(TopicScoped):
    """Results of the studies, one per intervention; saving one recomputes its verdict."""

    serializer_class = s.ResultSerializer
    query_serializers = {"list": s.ResultFilterSerializer}
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
        filters = query_filters(self)
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

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, topic_key, pk):
        """Put the result in the bin (a lead); its category's verdict is recomputed."""
        result = deletable(request, self.get_object(), self.topic_area)
        grading_services.result_delete(result=result, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, topic_key, pk):
        """Take the result out of the bin (a lead); one whose study is in the bin answers 400."""
        binned = Result.all_objects.filter(study__topic_area=self.topic_area)
        result = deletable(request, get_object_or_404(binned, pk=pk), self.topic_area)
        grading_services.result_restore(result=result, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)


class CategoryViewSet(TopicScoped):
    """Intervention categories: the unit a verdict is given for. Leads add them."""

    lookup_value_regex = "[-a-zA-Z0-9_]+"

    serializer_class = s.CategorySerializer
    lookup_field = "key"
    lookup_url_kwarg = "category_key"
    action_permissions = dict.fromkeys(["create", "partial_update"], "grading.manage_categories")

    def topic_queryset(self):
        return grading_queries.categories_with_verdicts(self.topic_area).order_by("position", "id")

    def create(self, request, project_slug, topic_key):
        data = validated(s.CategorySerializer, request.data)
        category = grading_verdicts.category_create(
            topic_area=self.topic_area, actor=request.user, **data
        )
        body = self.get_serializer(self.get_queryset().get(pk=category.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CategoryUpdateSerializer, responses=s.CategorySerializer)
    def partial_update(self, request, project_slug, topic_key, category_key):
        """Correct the title (leads); the key stays."""
        category = self.get_object()
        data = validated(s.CategoryUpdateSerializer, request.data, partial=True)
        if data:
            grading_verdicts.category_update(category=category, actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=category.pk)).data)

    def _deletable(self, category: InterventionCategory) -> InterventionCategory:
        category.topic_area = self.topic_area
        if not self.request.user.has_perm("grading.delete_category", category):
            raise exceptions.PermissionDenied()
        return category

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, topic_key, category_key):
        """Put the category in the bin with its results (a lead); the tables are rebuilt."""
        category = self._deletable(self.get_object())
        grading_services.category_delete(category=category, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, topic_key, category_key):
        """Take the category out of the bin with the results deleted with it (a lead)."""
        binned = InterventionCategory.all_objects.filter(topic_area=self.topic_area)
        category = self._deletable(get_object_or_404(binned, key=category_key))
        grading_services.category_restore(category=category, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=category.pk)).data)


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
        # A join, which the categories' manager does not filter: the bin left out.
        verdicts = Verdict.objects.filter(
            category__topic_area=self.topic_area, category__deleted_at__isnull=True
        ).select_related("category", "decided_by")
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


# The topic area's own files: API url name and format (the page's files, see
# reviewapp.api.downloads).
TOPIC_EXPORTS = [
    ("flow_svg", "api-flow-svg", "svg"),
    ("flow_csv", "api-flow-csv", "csv"),
    ("agreement_csv", "api-agreement-csv", "csv"),
]
ROB_CHARTS = [("traffic_light", "api-rob-traffic-light-svg"), ("summary", "api-rob-summary-svg")]


class ExportsView(ProjectScoped, GenericAPIView):
    """Links to every export of the topic area (the same files as the pages' buttons), each
    downloadable with the API's token."""

    @extend_schema(responses=s.ExportLinkSerializer(many=True))
    def get(self, request, project_slug, topic_key):
        kwargs = {"project_slug": self.project.slug, "topic_key": self.topic_area.key}
        links = [
            {"name": name, "format": fmt, "url": reverse(url_name, kwargs=kwargs)}
            for name, url_name, fmt in TOPIC_EXPORTS
        ]
        for category in self.topic_area.categories.all():
            for tool in ("rob2", "robins_i"):
                for chart, url_name in ROB_CHARTS:
                    url = reverse(
                        url_name, kwargs={**kwargs, "category_key": category.key, "tool": tool}
                    )
                    links.append(
                        {
                            "name": f"rob_{chart}_svg:{category.key}:{tool}",
                            "format": "svg",
                            "url": url,
                        }
                    )
        report = reverse("api-report-export", kwargs={"project_slug": self.project.slug})
        links += [
            {"name": f"report:{fmt}", "format": fmt, "url": f"{report}?format={fmt}"}
            for fmt in services_report.EXPORT_FORMATS
        ]
        page = self.paginate_queryset(links)
        for link in page:
            link["url"] = request.build_absolute_uri(link["url"])
        return self.get_paginated_response(s.ExportLinkSerializer(page, many=True).data)


class ReportView(ProjectScoped, GenericAPIView):
    """The report's tables as JSON, per topic area, as stored (rebuilt where missing)."""

    action_permissions = {"get": "grading.view_report"}

    @extend_schema(responses=s.ReportTablesSerializer(many=True))
    def get(self, request, project_slug):
        entries = self.paginate_queryset(services_report.report_tables_for(self.project))
        return self.get_paginated_response(s.ReportTablesSerializer(entries, many=True).data)


@extend_schema_view(
    create=extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer}),
    reply=extend_schema(request=s.CommentReplySerializer, responses={201: s.CommentSerializer}),
    resolve=extend_schema(request=s.CommentResolveSerializer),
)
class CommentViewSet(ProjectScoped, viewsets.GenericViewSet):
    """Comments on verdicts, categories, studies, results and flow diagrams: any member
    comments (peer reviewers too); the thread's author or a lead replies; leads resolve."""

    serializer_class = s.CommentSerializer
    query_serializers = {"list": s.CommentFilterSerializer}
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
        if query_filters(self).get("open"):
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
        comment = self.get_object()  # an unknown comment is 404 before the body is read
        data = validated(s.CommentReplySerializer, request.data)
        reply = grading_comments.comment_reply(
            comment=comment, author=request.user, body=data["body"]
        )
        body = self.get_serializer(self.get_queryset().get(pk=reply.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resolve(self, request, project_slug, pk):
        comment = self.get_object()
        data = validated(s.CommentResolveSerializer, request.data)
        comment = grading_comments.comment_resolve(
            comment=comment, actor=request.user, resolved=data["resolved"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=comment.pk)).data)

    def _deletable(self, comment: Comment) -> Comment:
        comment.project = self.project
        if not self.request.user.has_perm("grading.delete_comment", comment):
            raise exceptions.PermissionDenied()
        return comment

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, pk):
        """Put the comment in the bin with its replies (its author or a lead)."""
        comment = self._deletable(self.get_object())
        grading_comments.comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, pk):
        """Take the comment out of the bin with the replies deleted with it (its author or a
        lead); a reply whose thread is in the bin answers 400."""
        binned = Comment.all_objects.filter(project=self.project)
        comment = self._deletable(get_object_or_404(binned, pk=pk))
        grading_comments.comment_restore(comment=comment, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=comment.pk)).data)
