from django.urls import path

from grading import views, views_rob

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
]
