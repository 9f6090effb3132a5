"""Screening's API resources, under /api/ (included by the URL root)."""

from django.urls import path

from reviewapp.api.downloads import download_view
from reviewapp.api.urls import STAGE, TOPIC, TOPIC_PATH, api_router
from screening.api import views
from screening.api.bulk import BulkActionViewSet
from screening.api.flow import ReportedFlowView
from screening.api.fulltext import FullTextViewSet
from screening.api.history import RecordHistoryView
from screening.api.prioritisation import (
    PrioritisationResumeView,
    PrioritisationStopView,
    PrioritisationView,
)
from screening.api.snowballing import SnowballUploadView, SnowballView
from screening.views import flow as flow_views
from screening.views import fulltext as fulltext_views
from screening.views import screening as screening_views

router = api_router()
router.register(TOPIC + "/sources", views.SourceViewSet, basename="api-source")
router.register(TOPIC + "/imports", views.ImportViewSet, basename="api-import")
router.register(TOPIC + "/records", views.RecordViewSet, basename="api-record")
router.register(TOPIC + "/duplicates", views.DuplicateViewSet, basename="api-duplicate")
router.register(TOPIC + "/stages", views.StageViewSet, basename="api-stage")
router.register(STAGE + "/decisions", views.DecisionViewSet, basename="api-decision")
router.register(STAGE + "/items", views.ItemViewSet, basename="api-item")
router.register(STAGE + "/fulltexts", FullTextViewSet, basename="api-fulltext")
router.register(STAGE + "/bulk", BulkActionViewSet, basename="api-bulk-action")

urlpatterns = [
    path(TOPIC_PATH + "agreement/", views.AgreementView.as_view(), name="api-agreement"),
    path(TOPIC_PATH + "flow/", views.FlowView.as_view(), name="api-flow"),
    path(TOPIC_PATH + "flow/reported/", ReportedFlowView.as_view(), name="api-flow-reported"),
    path(
        TOPIC_PATH + "stages/<int:stage_id>/prioritisation/",
        PrioritisationView.as_view(),
        name="api-prioritisation",
    ),
    path(
        TOPIC_PATH + "stages/<int:stage_id>/prioritisation/stop/",
        PrioritisationStopView.as_view(),
        name="api-prioritisation-stop",
    ),
    path(
        TOPIC_PATH + "stages/<int:stage_id>/prioritisation/resume/",
        PrioritisationResumeView.as_view(),
        name="api-prioritisation-resume",
    ),
    path(
        TOPIC_PATH + "records/<int:record_id>/history/",
        RecordHistoryView.as_view(),
        name="api-record-history",
    ),
    path(
        TOPIC_PATH + "records/<int:record_id>/snowball/",
        SnowballView.as_view(),
        name="api-record-snowball",
    ),
    path(
        TOPIC_PATH + "records/<int:record_id>/snowball/upload/",
        SnowballUploadView.as_view(),
        name="api-record-snowball-upload",
    ),
    *router.urls,
]

# The files the pages offer, with a token (reviewapp.api.downloads): the page's view and
# permission, under the resource they belong to. Route under the topic area, page view, URL
# name (the operation is named after it), media type, what it is.
DOWNLOADS = [
    (
        "flow.svg",
        flow_views.flow_svg,
        "api-flow-svg",
        "image/svg+xml",
        "The PRISMA 2020 flow diagram as SVG (prisma-<topic>.svg).",
    ),
    (
        "flow-prisma.csv",
        flow_views.flow_csv,
        "api-flow-csv",
        "text/csv",
        "The flow counts as the PRISMA2020 tool's CSV (prisma-<topic>.csv).",
    ),
    (
        "agreement.csv",
        screening_views.agreement_csv,
        "api-agreement-csv",
        "text/csv",
        "Agreement per pair of reviewers and dual stage (agreement-<topic>.csv).",
    ),
    (
        "stages/<int:stage_id>/fulltexts/<int:record_id>/pdf/",
        fulltext_views.fulltext_pdf,
        "api-fulltext-pdf",
        "application/pdf",
        "The record's full-text PDF at a full-text stage (404 without one).",
    ),
]
urlpatterns += [
    path(
        TOPIC_PATH + route,
        download_view(
            page_view,
            operation_id="projects_topic_areas_" + name[4:].replace("-", "_") + "_download",
            media_types=[media_type],
            description=description,
        ),
        name=name,
    )
    for route, page_view, name, media_type, description in DOWNLOADS
]
