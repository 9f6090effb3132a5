"""Grading's API resources, under /api/ (included by the URL root)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from grading.api import views
from grading.api.consensus import ConsensusView, ExtractionAgreementView, ExtractionView
from grading.api.grade import GradeAssessmentView
from grading.api.history import StudyHistoryView
from grading.api.report_settings import ReportSettingsView
from grading.api.rob import RobAssessmentView
from grading.forms.report import EXPORT_CHOICES, LANGUAGE_CHOICES
from grading.models import RobAssessment
from grading.views import report as report_views
from grading.views import rob as rob_views
from reviewapp.api.downloads import download_view
from reviewapp.api.urls import PROJECT, PROJECT_PATH, TOPIC, TOPIC_PATH, api_router

router = api_router()
router.register(
    PROJECT + "/extraction-fields", views.ExtractionFieldViewSet, basename="api-extraction-field"
)
router.register(PROJECT + "/comments", views.CommentViewSet, basename="api-comment")
router.register(TOPIC + "/studies", views.StudyViewSet, basename="api-study")
router.register(TOPIC + "/results", views.ResultViewSet, basename="api-result")
router.register(TOPIC + "/categories", views.CategoryViewSet, basename="api-category")
router.register(TOPIC + "/verdicts", views.VerdictViewSet, basename="api-verdict")

urlpatterns = [
    path(PROJECT_PATH + "report/", views.ReportView.as_view(), name="api-report"),
    path(TOPIC_PATH + "exports/", views.ExportsView.as_view(), name="api-exports"),
    path(
        TOPIC_PATH + "report-settings/",
        ReportSettingsView.as_view(),
        name="api-report-settings",
    ),
    path(
        TOPIC_PATH + "studies/<int:study_id>/history/",
        StudyHistoryView.as_view(),
        name="api-study-history",
    ),
    path(
        TOPIC_PATH + "results/<int:result_id>/risk-of-bias/",
        RobAssessmentView.as_view(),
        name="api-result-risk-of-bias",
    ),
    path(
        TOPIC_PATH + "results/<int:result_id>/extractions/",
        ExtractionView.as_view(),
        name="api-result-extractions",
    ),
    path(
        TOPIC_PATH + "results/<int:result_id>/consensus/",
        ConsensusView.as_view(),
        name="api-result-consensus",
    ),
    path(
        TOPIC_PATH + "extraction-agreement/",
        ExtractionAgreementView.as_view(),
        name="api-extraction-agreement",
    ),
    path(
        TOPIC_PATH + "categories/<slug:category_key>/grade/",
        GradeAssessmentView.as_view(),
        name="api-category-grade",
    ),
    *router.urls,
]


class ReportExportFilterSerializer(serializers.Serializer):
    """The report page's export form (grading.forms.report.ExportForm) as query parameters."""

    format = serializers.ChoiceField(choices=EXPORT_CHOICES)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, help_text="Default: the request's language."
    )


REPORT_MEDIA_TYPES = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/zip",
    "application/json",
    "application/x-research-info-systems",
    "text/csv",  # the PRISMA CSV of a project with one topic area (else zipped)
]
ROB_TOOL = OpenApiParameter(
    "tool", str, OpenApiParameter.PATH, enum=list(RobAssessment.Tool.values)
)

# The files the pages offer, with a token (reviewapp.api.downloads): the page's view and
# permission, under the resource they belong to.
urlpatterns += [
    path(
        PROJECT_PATH + "report/export/",
        download_view(
            report_views.report_export,
            operation_id="projects_report_export_download",
            media_types=REPORT_MEDIA_TYPES,
            filters=ReportExportFilterSerializer,
            description="The report as XLSX, DOCX, CSV (zipped), JSON, RIS (the included "
            "records) or the PRISMA2020 CSV (zipped), as the report page exports it.",
        ),
        name="api-report-export",
    ),
    *[
        path(
            TOPIC_PATH + f"categories/<slug:category_key>/risk-of-bias/<slug:tool>/{chart}.svg",
            download_view(
                rob_views.rob_chart_svg,
                operation_id=f"projects_topic_areas_categories_rob_{key}_svg_download",
                media_types=["image/svg+xml"],
                parameters=[ROB_TOOL],
                description=f"The category's risk-of-bias {chart} chart for one tool (404 "
                "while no assessment with that tool is saved).",
            ),
            {"chart": key},
            name=f"api-rob-{chart}-svg",
        )
        for key, chart in [("traffic_light", "traffic-light"), ("summary", "summary")]
    ],
]
