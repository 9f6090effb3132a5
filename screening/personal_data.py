"""Screening's part of a person's data (see reviewapp.personal_data)."""

from reviewapp.personal_data import PersonalDataSlice, register
from screening.models import Decision, MaybeFlag, ScreeningItem


def _when(value) -> str | None:
    return value.isoformat() if value else None


def own_data(user) -> dict[str, list[dict]]:
    decisions = Decision.objects.filter(reviewer=user).select_related(
        "stage__topic_area__project", "item__record"
    )
    resolutions = ScreeningItem.objects.filter(resolved_by=user).select_related(
        "stage__topic_area__project", "record"
    )
    return {
        "decisions": [
            {
                "project": decision.stage.topic_area.project.slug,
                "topic_area": decision.stage.topic_area.key,
                "stage": decision.stage.name,
                "record": decision.item.record.title,
                "value": decision.value,
                "reason": decision.reason,
                "note": decision.note,
                "decided_at": _when(decision.decided_at),
            }
            for decision in decisions.order_by("decided_at", "id")
        ],
        "maybe_flags": [
            {
                "project": flag.stage.topic_area.project.slug,
                "topic_area": flag.stage.topic_area.key,
                "stage": flag.stage.name,
                "record": flag.item.record.title,
                "note": flag.note,
                "flagged_at": _when(flag.flagged_at),
            }
            for flag in MaybeFlag.objects.filter(reviewer=user)
            .select_related("stage__topic_area__project", "item__record")
            .order_by("flagged_at", "id")
        ],
        "resolutions": [
            {
                "project": item.stage.topic_area.project.slug,
                "topic_area": item.stage.topic_area.key,
                "stage": item.stage.name,
                "record": item.record.title,
                "status": item.status,
                "note": item.resolution_note,
            }
            for item in resolutions.order_by("id")
        ],
    }


register(
    PersonalDataSlice(
        scrub={
            "screening.decision": ["note"],
            "screening.screeningitem": ["resolution_note"],
            "screening.fulltext": ["note"],
            "screening.importjob": ["error"],
            "screening.maybeflag": ["note"],
        },
        # A reviewer's 15-minute hold on a record, and their private maybe pile: theirs
        # alone, and never decided now.
        delete={"screening.claim": "reviewer", "screening.maybeflag": "reviewer"},
        kept={
            "screening.source": "a search's database, query and file: the review's record",
            "screening.record": "bibliographic data as imported: cited as printed",
            "screening.recordversion": "a record's bibliographic data before a correction",
            "screening.label": "the project's label names: its vocabulary, not a person's",
            "screening.recordlabel": "who put a label on a record: the review's record",
            "screening.bulkaction": "a lead's bulk action and its reason: the review's record",
            "screening.duplicatepair": "scores and reasons written by the de-duplication",
            "screening.stage": "the stage's protocol (names, exclusion reasons, keywords)",
            "screening.ranking": "a retrain's figures",
        },
        export=own_data,
    )
)
