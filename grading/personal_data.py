"""Grading's part of a person's data (see reviewapp.personal_data). Studies' labels and
authors are bibliographic data, never scrubbed."""

from grading.models import Comment, Extraction
from reviewapp.personal_data import PersonalDataSlice, register


def _when(value) -> str | None:
    return value.isoformat() if value else None


def own_data(user) -> dict[str, list[dict]]:
    extractions = Extraction.objects.filter(reviewer=user).select_related(
        "result__study__topic_area__project"
    )
    # The person's own data includes what is in the bin (reviewapp.softdelete).
    comments = Comment._base_manager.filter(author=user).select_related("project", "topic_area")
    return {
        "extractions": [
            {
                "project": extraction.result.study.topic_area.project.slug,
                "topic_area": extraction.result.study.topic_area.key,
                "study": extraction.result.study.label,
                "result": extraction.result.intervention,
                "values": extraction.values,
                "saved_at": _when(extraction.saved_at),
            }
            for extraction in extractions.order_by("saved_at", "id")
        ],
        "comments": [
            {
                "project": comment.project.slug,
                "topic_area": comment.topic_area.key if comment.topic_area else None,
                "on": f"{comment.target_kind}: {comment.target_label}",
                "reply_to": comment.parent_id,
                "body": comment.body,
                "created_at": _when(comment.created_at),
                "resolved_at": _when(comment.resolved_at),
            }
            for comment in comments.order_by("created_at", "id")
        ],
    }


register(
    PersonalDataSlice(
        # The stored report tables (grading.reportsnapshot) name reviewers in the agreement
        # table: they are rebuilt on erasure (grading.receivers), not scrubbed.
        scrub={
            "grading.comment": ["body", "target_label"],
            "grading.verdict": ["rationale"],
            "grading.verdictevent": ["rationale"],
            "grading.extraction": ["values"],
            "grading.consensus": ["values"],
            "grading.gradeassessment": ["comments", "reasons"],
            "grading.robassessment": ["answers", "notes"],
            "grading.result": [
                "risk_of_bias_justification",
                "transferability_justification",
                "quality_reason",
                "extra",
            ],
            "grading.study": ["notes"],
            "grading.reportsettings": ["statements"],
        },
        kept={
            "grading.interventioncategory": "the review's categories",
            "grading.extractionfield": "the extraction form's labels and choices",
            "grading.extractionsettings": "a switch",
            "grading.reportsnapshot": (
                "the stored report tables: rebuilt on erasure (grading.receivers)"
            ),
        },
        export=own_data,
    )
)
