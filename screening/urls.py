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
    path("screening/", views.screening_overview, name="screening_overview"),
    path("screening/set-up/", views.stages_set_up, name="stages_set_up"),
    path("screening/agreement.csv", views.agreement_csv, name="agreement_csv"),
    path("screening/<int:stage_id>/", views.screen, name="screen"),
    path("screening/<int:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("screening/<int:stage_id>/undo/", views.undo, name="screening_undo"),
    path("screening/<int:stage_id>/records/", views.stage_records, name="stage_records"),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/decide/",
        views.decide,
        name="screening_decide",
    ),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/resolve/",
        views.resolve,
        name="screening_resolve",
    ),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/reopen/",
        views.reopen,
        name="screening_reopen",
    ),
]
