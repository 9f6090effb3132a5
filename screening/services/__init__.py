"""Every write in screening: imports, de-duplication decisions, screening."""

from screening.services.duplicates import (
    duplicate_pair_confirm,
    duplicate_pair_reject,
    record_unmerge,
)
from screening.services.imports import (
    ImportSummary,
    import_job_create,
    import_job_set_mapping,
    import_run,
)
from screening.services.screening import (
    ScreeningClosed,
    conflict_resolve,
    decision_record,
    decision_undo,
    screening_decide,
    screening_item_reopen,
    screening_next,
    stage_has_decisions,
    stage_has_reviewer,
    stage_reviewer_check,
    stage_update,
    stages_set_up,
    topic_area_enter_new_records,
)
from screening.services.snowballing import record_finally_included, snowball_references_add

__all__ = [
    "ImportSummary",
    "ScreeningClosed",
    "conflict_resolve",
    "decision_record",
    "decision_undo",
    "duplicate_pair_confirm",
    "duplicate_pair_reject",
    "import_job_create",
    "import_job_set_mapping",
    "import_run",
    "record_unmerge",
    "screening_decide",
    "screening_item_reopen",
    "screening_next",
    "stage_has_decisions",
    "stage_has_reviewer",
    "stage_reviewer_check",
    "stage_update",
    "record_finally_included",
    "snowball_references_add",
    "stages_set_up",
    "topic_area_enter_new_records",
]
