"""Grading's part of the project archive (see reviewapp.archive)."""

from reviewapp.archive import ArchiveSlice, register

register(
    ArchiveSlice(
        models=[
            ("grading.interventioncategory", "topic_area__project"),
            ("grading.extractionfield", "project"),
            ("grading.study", "topic_area__project"),
            ("grading.result", "study__topic_area__project"),
            ("grading.robassessment", "result__study__topic_area__project"),
            ("grading.extractionsettings", "project"),
            ("grading.extraction", "result__study__topic_area__project"),
            ("grading.consensus", "result__study__topic_area__project"),
            ("grading.verdict", "category__topic_area__project"),
            ("grading.verdictevent", "verdict__category__topic_area__project"),
            ("grading.gradeassessment", "category__topic_area__project"),
            ("grading.reportsettings", "topic_area__project"),
            ("grading.comment", "project"),
        ],
        derived={
            "grading.reportsnapshot": (
                "the stored report tables; report_tables_rebuild rebuilds them"
            ),
        },
        kind_id_fields={
            "grading.comment": (
                "target_kind",
                "target_id",
                {
                    "verdict": "grading.verdict",
                    "category": "grading.interventioncategory",
                    "study": "grading.study",
                    "result": "grading.result",
                    "flow": "reviewapp.topicarea",
                },
            ),
        },
    )
)
