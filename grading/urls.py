from django.urls import path

from grading import views, views_consensus, views_grade, views_rob

# Mounted under projects/<slug>/topics/<topic_key>/ by reviewapp.urls.
topic_patterns = [
    path("evidence/", views.evidence, name="evidence"),
    path("evidence/categories/new/", views.category_create, name="category_create"),
    path("evidence/<slug:category_key>/", views.verdict, name="verdict"),
    path("evidence/<slug:category_key>/final/", views.verdict_final, name="verdict_final"),
    path("studies/", views.studies, name="studies"),
    path("studies/new/", views.study_create, name="study_create"),
    path("studies/<int:study_id>/", views.study_detail, name="study_detail"),
    path("studies/<int:study_id>/edit/", views.study_edit, name="study_edit"),
    path("studies/<int:study_id>/results/new/", views.result_create, name="result_create"),
    path(
        "studies/<int:study_id>/results/<int:result_id>/edit/",
        views.result_edit,
        name="result_edit",
    ),
    path(
        "studies/<int:study_id>/results/<int:result_id>/risk-of-bias/",
        views_rob.rob_assessment,
        name="rob_assessment",
    ),
    path("evidence/<slug:category_key>/risk-of-bias/", views_rob.rob_charts, name="rob_charts"),
    path(
        "evidence/<slug:category_key>/risk-of-bias/<slug:tool>/traffic-light.svg",
        views_rob.rob_chart_svg,
        {"chart": "traffic_light"},
        name="rob_traffic_light_svg",
    ),
    path(
        "evidence/<slug:category_key>/risk-of-bias/<slug:tool>/summary.svg",
        views_rob.rob_chart_svg,
        {"chart": "summary"},
        name="rob_summary_svg",
    ),
    # GRADE (the extraction helper's block)
    path(
        "evidence/<slug:category_key>/grade/", views_grade.grade_assessment, name="grade_assessment"
    ),
    path("summary-of-findings/", views_grade.summary_of_findings, name="summary_of_findings"),
    # Dual extraction (the extraction helper's block)
    path(
        "studies/<int:study_id>/results/<int:result_id>/extraction/",
        views_consensus.result_extraction,
        name="result_extraction",
    ),
    path(
        "studies/<int:study_id>/results/<int:result_id>/consensus/",
        views_consensus.result_consensus,
        name="result_consensus",
    ),
    path(
        "extraction-agreement/",
        views_consensus.extraction_agreement,
        name="extraction_agreement",
    ),
]

# Mounted under projects/<slug>/ by reviewapp.urls.
project_patterns = [
    path("extraction-form/", views.extraction_form, name="extraction_form"),
    path("extraction-form/fields/", views.extraction_field_create, name="extraction_field_create"),
    path(
        "extraction-form/fields/<int:field_id>/toggle/",
        views.extraction_field_toggle,
        name="extraction_field_toggle",
    ),
    path(
        "extraction-form/dual/",
        views_consensus.extraction_settings,
        name="extraction_settings",
    ),
]

# The report, its exports and the peer-review comments (projects/<slug>/...).
from grading import views_report  # noqa: E402

project_patterns += [
    path("report/", views_report.report, name="report"),
    path("report/export/", views_report.report_export, name="report_export"),
    path("report/settings/", views_report.report_settings, name="report_settings"),
    path("comments/", views_report.comments, name="comments"),
    path("comments/reply/", views_report.comment_reply, name="comment_reply"),
    path("comments/resolve/", views_report.comment_resolve, name="comment_resolve"),
]

# A study's history (read-only).
from grading import views_history  # noqa: E402

topic_patterns += [
    path("studies/<int:study_id>/history/", views_history.study_history, name="study_history"),
]
