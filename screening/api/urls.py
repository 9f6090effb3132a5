"""Screening's API resources, under /api/ (included by the URL root)."""

from django.urls import path

from reviewapp.api.urls import STAGE, TOPIC, TOPIC_PATH, api_router
from screening.api import views
from screening.api.flow import ReportedFlowView
from screening.api.fulltext import FullTextViewSet
from screening.api.snowballing import SnowballView

router = api_router()
router.register(TOPIC + "/sources", views.SourceViewSet, basename="api-source")
router.register(TOPIC + "/imports", views.ImportViewSet, basename="api-import")
router.register(TOPIC + "/records", views.RecordViewSet, basename="api-record")
router.register(TOPIC + "/duplicates", views.DuplicateViewSet, basename="api-duplicate")
router.register(TOPIC + "/stages", views.StageViewSet, basename="api-stage")
router.register(STAGE + "/decisions", views.DecisionViewSet, basename="api-decision")
router.register(STAGE + "/items", views.ItemViewSet, basename="api-item")
router.register(STAGE + "/fulltexts", FullTextViewSet, basename="api-fulltext")

urlpatterns = [
    path(TOPIC_PATH + "agreement/", views.AgreementView.as_view(), name="api-agreement"),
    path(TOPIC_PATH + "flow/", views.FlowView.as_view(), name="api-flow"),
    path(TOPIC_PATH + "flow/reported/", ReportedFlowView.as_view(), name="api-flow-reported"),
    path(
        TOPIC_PATH + "records/<int:record_id>/snowball/",
        SnowballView.as_view(),
        name="api-record-snowball",
    ),
    *router.urls,
]
