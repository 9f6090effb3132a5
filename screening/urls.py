from django.urls import path

from screening import views

# Mounted under projects/<slug>/topics/<topic_key>/ by reviewapp.urls.
topic_patterns = [
    path("import/", views.import_create, name="import_create"),
    path("imports/<int:job_id>/", views.import_job, name="import_job"),
    path("imports/<int:job_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("records/", views.records, name="records"),
    path("records/<int:record_id>/unmerge/", views.record_unmerge, name="record_unmerge"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pair_id>/confirm/", views.duplicate_confirm, name="duplicate_confirm"),
    path("duplicates/<int:pair_id>/reject/", views.duplicate_reject, name="duplicate_reject"),
]
