from django.urls import path

from screening.views import flow as flow_views
from screening.views import fulltext as fulltext_views
from screening.views import imports as import_views
from screening.views import screening as screening_views
from screening.views import snowballing as snowballing_views

# Mounted under projects/<slug>/topics/<topic_key>/ by reviewapp.urls.
topic_patterns = [
    path("import/", import_views.import_create, name="import_create"),
    path("imports/<int:job_id>/", import_views.import_job, name="import_job"),
    path("imports/<int:job_id>/mapping/", import_views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:job_id>/discard/", import_views.import_discard, name="import_discard"),
    path("sources/<int:source_id>/remove/", import_views.source_remove, name="source_remove"),
    path("sources/<int:source_id>/restore/", import_views.source_undelete, name="source_restore"),
    path("records/", import_views.records, name="records"),
    path("records/<int:record_id>/unmerge/", import_views.record_unmerge, name="record_unmerge"),
    path("records/<int:record_id>/snowballing/", snowballing_views.snowball, name="snowball"),
    path("duplicates/", import_views.duplicates, name="duplicates"),
    path(
        "duplicates/<int:pair_id>/confirm/",
        import_views.duplicate_confirm,
        name="duplicate_confirm",
    ),
    path(
        "duplicates/<int:pair_id>/reject/", import_views.duplicate_reject, name="duplicate_reject"
    ),
    path("screening/", screening_views.screening_overview, name="screening_overview"),
    path("screening/set-up/", screening_views.stages_set_up, name="stages_set_up"),
    path("screening/agreement.csv", screening_views.agreement_csv, name="agreement_csv"),
    path("screening/<int:stage_id>/", screening_views.screen, name="screen"),
    path("screening/<int:stage_id>/edit/", screening_views.stage_edit, name="stage_edit"),
    path("screening/<int:stage_id>/undo/", screening_views.undo, name="screening_undo"),
    path("screening/<int:stage_id>/records/", screening_views.stage_records, name="stage_records"),
    path(
        "screening/<int:stage_id>/prioritisation/",
        screening_views.stage_prioritisation,
        name="stage_prioritisation",
    ),
    path("screening/<int:stage_id>/order/", screening_views.stage_order, name="stage_order"),
    path(
        "screening/<int:stage_id>/stopping-rule/",
        screening_views.stage_stopping,
        name="stage_stopping",
    ),
    path("screening/<int:stage_id>/stop/", screening_views.stage_stop, name="stage_stop"),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/decide/",
        screening_views.decide,
        name="screening_decide",
    ),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/resolve/",
        screening_views.resolve,
        name="screening_resolve",
    ),
    path(
        "screening/<int:stage_id>/items/<int:item_id>/reopen/",
        screening_views.reopen,
        name="screening_reopen",
    ),
    path("flow/", flow_views.flow_page, name="flow"),
    path("flow/reported/", flow_views.flow_reported, name="flow_reported"),
    path("flow.svg", flow_views.flow_svg, name="flow_svg"),
    path("flow-prisma.csv", flow_views.flow_csv, name="flow_csv"),
]

# Full texts of a full-text stage: the list, a zip, and one record's PDF.
FULLTEXTS = "screening/<int:stage_id>/fulltexts/"
FULLTEXT = FULLTEXTS + "<int:record_id>/"
topic_patterns += [
    path(FULLTEXTS, fulltext_views.fulltexts, name="fulltexts"),
    path(f"{FULLTEXTS}zip/", fulltext_views.fulltext_zip, name="fulltext_zip"),
    path(f"{FULLTEXT}upload/", fulltext_views.fulltext_upload, name="fulltext_upload"),
    path(f"{FULLTEXT}remove/", fulltext_views.fulltext_remove, name="fulltext_remove"),
    path(f"{FULLTEXT}pdf/", fulltext_views.fulltext_pdf, name="fulltext_pdf"),
    path(
        f"{FULLTEXT}not-retrievable/",
        fulltext_views.fulltext_not_retrievable,
        name="fulltext_not_retrievable",
    ),
]

# Conflicts one at a time (leads).
from screening.views import conflicts as conflict_views  # noqa: E402

topic_patterns += [
    path("screening/<int:stage_id>/conflicts/", conflict_views.conflicts, name="conflicts"),
    path(
        "screening/<int:stage_id>/conflicts/<int:item_id>/resolve/",
        conflict_views.conflict_resolve,
        name="conflict_resolve",
    ),
]

# A record's history (read-only).
from screening.views import history as history_views  # noqa: E402

topic_patterns += [
    path("records/<int:record_id>/history/", history_views.record_history, name="record_history"),
]

# Correcting a record and labelling it (leads and reviewers); the history shows both.
from screening.views import records as record_views  # noqa: E402

topic_patterns += [
    path("records/<int:record_id>/edit/", record_views.record_edit, name="record_edit"),
    path("records/<int:record_id>/labels/", record_views.label_add, name="record_label_add"),
    path(
        "records/<int:record_id>/labels/<int:label_id>/remove/",
        record_views.label_remove,
        name="record_label_remove",
    ),
]

# A lead's bulk actions on a stage's filtered list, and their undo.
from screening.views import bulk as bulk_views  # noqa: E402

topic_patterns += [
    path("screening/<int:stage_id>/bulk/", bulk_views.bulk_apply, name="bulk_apply"),
    path(
        "screening/<int:stage_id>/bulk/<int:bulk_id>/undo/",
        bulk_views.bulk_undo,
        name="bulk_undo",
    ),
]
