"""Screening's part of the project archive (see reviewapp.archive)."""

from reviewapp.archive import ArchiveError, ArchiveSlice, register

ITEM_LABEL = "screening.screeningitem"
DECISION_LABEL = "screening.decision"


def decision_stages(objects: dict, version: int) -> dict:
    """The objects with every decision's stage checked to be its item's (version 1 lacked
    it: set to it), without changing the caller's data."""
    items = {
        item.get("id"): item.get("stage") for item in objects[ITEM_LABEL] if isinstance(item, dict)
    }
    decisions = []
    for decision in objects[DECISION_LABEL]:
        if isinstance(decision, dict) and decision.get("item") in items:
            stage = items[decision["item"]]
            if version == 1:
                decision = {**decision, "stage": stage}
            elif "stage" in decision and decision["stage"] != stage:
                raise ArchiveError(
                    f"{DECISION_LABEL} {decision.get('id')}.stage: not the stage of its item "
                    f"{decision['item']} ({stage!r})"
                )
        decisions.append(decision)
    return {**objects, DECISION_LABEL: decisions}


register(
    ArchiveSlice(
        models=[
            ("screening.source", "topic_area__project"),
            ("screening.record", "topic_area__project"),
            ("screening.recordversion", "record__topic_area__project"),
            ("screening.label", "project"),
            ("screening.recordlabel", "record__topic_area__project"),
            ("screening.duplicatepair", "topic_area__project"),
            ("screening.importjob", "topic_area__project"),
            ("screening.stage", "topic_area__project"),
            (ITEM_LABEL, "stage__topic_area__project"),
            (DECISION_LABEL, "item__stage__topic_area__project"),
            ("screening.maybeflag", "stage__topic_area__project"),
            ("screening.fulltext", "record__topic_area__project"),
        ],
        derived={
            "screening.claim": "a reviewer's 15-minute hold on a record: transient",
            "screening.ranking": "a retrain's log; the next retrain rebuilds the ranking",
            "screening.bulkaction": "the undo of a lead's bulk action: its ids are this "
            "database's, and the audit log keeps what it did",
        },
        audit_id_values={
            ("duplicate.confirm", "kept"): "screening.record",
            ("duplicate.confirm", "merged"): "screening.record",
            ("duplicate.reject", "record_a"): "screening.record",
            ("duplicate.reject", "record_b"): "screening.record",
            ("duplicate.undo", "canonical"): "screening.record",
        },
        upgrade=decision_stages,
    )
)
