"""The demo review's screening: the seed report's included articles as real records,
screened by both demo reviewers through every stage, and the report's flow counts.

The report publishes only its included studies, not the 1,600 or so hits screened out, so
those are entered as reported counts (marked † in the diagram) and never made up as
records. It does not say which three articles snowballing found; the demo takes the three
Nordic reports that a search of institutes' websites would find (Rosholm, Sørensen &
Skipper 2017; Rosholm et al. 2018; Liljeberg & Lundin 2010). That choice is ours.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from grading import seed_data
from reviewapp.models import TopicArea
from screening.models import ScreeningItem, Source
from screening.services.flow import flow_reported_update
from screening.services.imports import import_job_create, import_run
from screening.services.screening import decision_record, stage_update, stages_set_up

# Seed topic -> demo topic area key (grading.demo.review.TOPIC_AREAS).
TOPIC_KEYS = {"distance_meetings": "distance-meetings", "caseworker_factors": "caseworkers"}
SNOWBALLED = {"rosholm2017", "rosholm2018", "liljeberg2010"}

# Figures 5.1 and 6.1: hits after de-duplication, then what each screening kept.
REPORTED_FLOW = {
    "distance-meetings": {
        "identified_databases": 627,
        "stage1_screened": 627,
        "stage1_excluded": 614,
        "stage2_screened": 13,
        "stage2_excluded": 6,
        "fulltext_sought": 7,
        "fulltext_not_retrieved": 0,
        "fulltext_assessed": 7,
        "fulltext_excluded": 6,
    },
    "caseworkers": {
        "identified_databases": 1008,
        "stage1_screened": 1008,
        "stage1_excluded": 954,
        "stage2_screened": 54,
        "stage2_excluded": 30,
        "fulltext_sought": 24,
        "fulltext_not_retrieved": 0,
        "fulltext_assessed": 24,
        "fulltext_excluded": 8,
    },
}


def _ris(studies) -> bytes:
    lines = []
    for study in studies:
        lines += ["TY  - RPRT" if not study.peer_reviewed else "TY  - JOUR"]
        lines += [f"AU  - {author}" for author in study.authors]
        lines += [f"PY  - {study.year}", f"TI  - {study.title}", f"N1  - {study.label}", "ER  - "]
    return ("\n".join(lines) + "\n").encode()


def _import(topic_area, lead, studies, *, name: str, kind: str) -> None:
    if not studies:
        return
    job = import_job_create(
        topic_area=topic_area,
        actor=lead,
        upload=ContentFile(_ris(studies), name=f"demo-{topic_area.key}-{kind}.ris"),
        source_name=name,
        source_kind=kind,
        requested_format="ris",
        enqueue=False,
    )
    import_run(job=job)


@transaction.atomic
def demo_screening_load(*, topic_area: TopicArea, lead, reviewers) -> None:
    """Import, set up three dual stages and screen; does nothing once stages exist."""
    if topic_area.stages.exists():
        return
    seed_topic = next(key for key, value in TOPIC_KEYS.items() if value == topic_area.key)
    studies = [study for study in seed_data.STUDIES if study.topic == seed_topic]
    _import(
        topic_area,
        lead,
        [study for study in studies if study.key not in SNOWBALLED],
        name="Databaser (de inkluderede artikler)",
        kind=Source.Kind.DATABASE,
    )
    _import(
        topic_area,
        lead,
        [study for study in studies if study.key in SNOWBALLED],
        name="Kædesøgning (snowballing)",
        kind=Source.Kind.SNOWBALLING,
    )
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    for stage in stages:
        stage_update(stage=stage, actor=lead, expected_version=stage.version, reviewers_required=2)
        for item in ScreeningItem.objects.filter(stage=stage).order_by("order_key"):
            for reviewer in reviewers:
                decision_record(item=item, reviewer=reviewer, value="include")
    topic_area.refresh_from_db()
    flow_reported_update(
        topic_area=topic_area,
        actor=lead,
        counts=REPORTED_FLOW[topic_area.key],
        expected_version=topic_area.version,
    )
