"""/api/...: the schema, its documentation, and the base app's resources (docs/api.md).

Each app routes its own resources (screening/api/urls.py, grading/api/urls.py); the URL
root (reviewapp/urls.py) includes them all, then the catch-all 404 in the API's error shape.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from reviewapp.api import views
from reviewapp.api.activity import ActivityView
from reviewapp.api.bin import BinView
from reviewapp.api.invitations import InvitationViewSet

# The URL prefixes every app's resources hang under.
PROJECT = r"projects/(?P<project_slug>[-a-zA-Z0-9_]+)"
TOPIC = PROJECT + r"/topic-areas/(?P<topic_key>[-a-zA-Z0-9_]+)"
STAGE = TOPIC + r"/stages/(?P<stage_id>[0-9]+)"
PROJECT_PATH = "projects/<slug:project_slug>/"
TOPIC_PATH = PROJECT_PATH + "topic-areas/<slug:topic_key>/"


def api_router() -> SimpleRouter:
    router = SimpleRouter(trailing_slash=True)
    router.include_format_suffixes = False
    return router


router = api_router()
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register(PROJECT + "/memberships", views.MembershipViewSet, basename="api-membership")
router.register(PROJECT + "/invitations", InvitationViewSet, basename="api-invitation")
router.register(PROJECT + "/topic-areas", views.TopicAreaViewSet, basename="api-topic-area")

urlpatterns = [
    # The schema describes the API, not any review's data: readable without logging in.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as a file of its own: the
        # Content-Security-Policy allows no inline script.
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Who am I (an ApiView: past the login-required middleware, so anonymous is a 401).
    path("me/", views.MeView.as_view(), name="api-me"),
    path(PROJECT_PATH + "activity/", ActivityView.as_view(), name="api-activity"),
    path(PROJECT_PATH + "bin/", BinView.as_view(), name="api-bin"),
    *router.urls,
]
