from django.urls import path

from grading.views import comments, consensus, grade, history, report, rob, studies, verdicts

# Mounted under projects/<slug>/topics/<topic_key>/ by reviewapp.urls.
topic_patterns = [
    path("evidence/", verdicts.evidence, name="evidence"),
    path("evidence/categories/new/", verdicts.category_create, name="category_create"),
    path("evidence/<slug:category_key>/", verdicts.verdict, name="verdict"),
    path("evidence/<slug:category_key>/final/", verdicts.verdict_final, name="verdict_final"),
    path("evidence/<slug:category_key>/delete/", verdicts.category_delete, name="category_delete"),
    path("studies/", studies.studies, name="studies"),
    path("studies/new/", studies.study_create, name="study_create"),
    path("studies/<int:study_id>/", studies.study_detail, name="study_detail"),
    path("studies/<int:study_id>/edit/", studies.study_edit, name="study_edit"),
    path("studies/<int:study_id>/delete/", studies.study_delete, name="study_delete"),
    path(
        "studies/<int:study_id>/results/<int:result_id>/delete/",
        studies.result_delete,
        name="result_delete",
    ),
    path("studies/<int:study_id>/results/new/", studies.result_create, name="result_create"),
    path(
        "studies/<int:study_id>/results/<int:result_id>/edit/",
        studies.result_edit,
        name="result_edit",
    ),
    path(
        "studies/<int:study_id>/results/<int:result_id>/risk-of-bias/",
        rob.rob_assessment,
        name="rob_assessment",
    ),
    path("evidence/<slug:category_key>/risk-of-bias/", rob.rob_charts, name="rob_charts"),
    path(
        "evidence/<slug:category_key>/risk-of-bias/<slug:tool>/traffic-light.svg",
        rob.rob_chart_svg,
        {"chart": "traffic_light"},
        name="rob_traffic_light_svg",
    ),
    path(
        "evidence/<slug:category_key>/risk-of-bias/<slug:tool>/summary.svg",
        rob.rob_chart_svg,
        {"chart": "summary"},
        name="rob_summary_svg",
    ),
    # GRADE (the extraction helper's block)
    path("evidence/<slug:category_key>/grade/", grade.grade_assessment, name="grade_assessment"),
    path("summary-of-findings/", grade.summary_of_findings, name="summary_of_findings"),
    # Dual extraction (the extraction helper's block)
    path(
        "studies/<int:study_id>/results/<int:result_id>/extraction/",
        consensus.result_extraction,
        name="result_extraction",
    ),
    path(
        "studies/<int:study_id>/results/<int:result_id>/consensus/",
        consensus.result_consensus,
        name="result_consensus",
    ),
    path(
        "extraction-agreement/",
        consensus.extraction_agreement,
        name="extraction_agreement",
    ),
    # A study's history (read-only).
    path("studies/<int:study_id>/history/", history.study_history, name="study_history"),
]

# Mounted under projects/<slug>/ by reviewapp.urls.
project_patterns = [
    path("extraction-form/", studies.extraction_form, name="extraction_form"),
    path(
        "extraction-form/fields/", studies.extraction_field_create, name="extraction_field_create"
    ),
    path(
        "extraction-form/fields/<int:field_id>/toggle/",
        studies.extraction_field_toggle,
        name="extraction_field_toggle",
    ),
    path(
        "extraction-form/dual/",
        consensus.extraction_settings,
        name="extraction_settings",
    ),
    # The report, its exports and the peer-review comments.
    path("report/", report.report, name="report"),
    path("report/export/", report.report_export, name="report_export"),
    path("report/settings/", report.report_settings, name="report_settings"),
    path("comments/", comments.comments, name="comments"),
    path("comments/reply/", comments.comment_reply, name="comment_reply"),
    path("comments/resolve/", comments.comment_resolve, name="comment_resolve"),
    path("comments/delete/", comments.comment_delete, name="comment_delete"),
]
