"""Every write in screening: imports, de-duplication decisions, (later) screening."""

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

__all__ = [
    "ImportSummary",
    "duplicate_pair_confirm",
    "duplicate_pair_reject",
    "import_job_create",
    "import_job_set_mapping",
    "import_run",
    "record_unmerge",
]
