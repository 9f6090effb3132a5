"""/api/...: the schema, its documentation, and every resource (docs/api.md)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from reviewapp.api import views

PROJECT = r"projects/(?P<project_slug>[-a-zA-Z0-9_]+)"
TOPIC = PROJECT + r"/topic-areas/(?P<topic_key>[-a-zA-Z0-9_]+)"
STAGE = TOPIC + r"/stages/(?P<stage_id>[0-9]+)"

router = SimpleRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register(PROJECT + "/memberships", views.MembershipViewSet, basename="api-membership")
router.register(PROJECT + "/topic-areas", views.TopicAreaViewSet, basename="api-topic-area")
router.register(
    PROJECT + "/extraction-fields", views.ExtractionFieldViewSet, basename="api-extraction-field"
)
router.register(PROJECT + "/comments", views.CommentViewSet, basename="api-comment")
router.register(TOPIC + "/sources", views.SourceViewSet, basename="api-source")
router.register(TOPIC + "/imports", views.ImportViewSet, basename="api-import")
router.register(TOPIC + "/records", views.RecordViewSet, basename="api-record")
router.register(TOPIC + "/duplicates", views.DuplicateViewSet, basename="api-duplicate")
router.register(TOPIC + "/stages", views.StageViewSet, basename="api-stage")
router.register(STAGE + "/decisions", views.DecisionViewSet, basename="api-decision")
router.register(STAGE + "/items", views.ItemViewSet, basename="api-item")
router.register(TOPIC + "/studies", views.StudyViewSet, basename="api-study")
router.register(TOPIC + "/results", views.ResultViewSet, basename="api-result")
router.register(TOPIC + "/categories", views.CategoryViewSet, basename="api-category")
router.register(TOPIC + "/verdicts", views.VerdictViewSet, basename="api-verdict")

TOPIC_PATH = "projects/<slug:project_slug>/topic-areas/<slug:topic_key>/"

urlpatterns = [
    # The schema describes the API, not any review's data: readable without logging in.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("projects/<slug:project_slug>/report/", views.ReportView.as_view(), name="api-report"),
    path(TOPIC_PATH + "agreement/", views.AgreementView.as_view(), name="api-agreement"),
    path(TOPIC_PATH + "flow/", views.FlowView.as_view(), name="api-flow"),
    path(TOPIC_PATH + "exports/", views.ExportsView.as_view(), name="api-exports"),
    *router.urls,
    re_path(r"^(?P<path>[\s\S]*)$", login_not_required(views.not_found), name="api-not-found"),
]
