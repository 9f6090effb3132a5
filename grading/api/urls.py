"""Grading's API resources, under /api/ (included by the URL root)."""

from django.urls import path

from grading.api import views
from grading.api.grade import GradeAssessmentView
from grading.api.report_settings import ReportSettingsView
from grading.api.rob import RobAssessmentView
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
        TOPIC_PATH + "results/<int:result_id>/risk-of-bias/",
        RobAssessmentView.as_view(),
        name="api-result-risk-of-bias",
    ),
    path(
        TOPIC_PATH + "categories/<slug:category_key>/grade/",
        GradeAssessmentView.as_view(),
        name="api-category-grade",
    ),
    *router.urls,
]
