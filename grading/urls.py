from django.urls import path

from grading import views

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
