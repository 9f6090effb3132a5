"""The demo review's studies, results and verdicts: the seed report's tables 2.1 and
3.1-3.4 (grading/seed_data.py), entered through the services as a reviewer would, so the
verdicts are computed, not typed. They must equal the report's table 1."""

from django.db import transaction

from grading import seed_data
from grading.demo.records import TOPIC_KEYS
from grading.models import InterventionCategory
from grading.services.report import report_settings_update, report_tables_rebuild
from grading.services.studies import result_save, study_create
from grading.services.verdicts import category_create, verdict_recompute

# The seed report's table 1 (and chapter 2's conclusion): the short statement of each
# category's results, by seed category key.
REPORT_STATEMENTS = {
    "distance_meetings": "Møder på distance har hverken positive eller negative effekter på "
    "borgerens overgang til beskæftigelse sammenholdt med personlige møder",
    "relative_effectiveness": "Borgere, der bliver allokeret til en relativt set effektiv "
    "sagsbehandler, kommer hurtigere i beskæftigelse",
    "referral_mechanism": "Den mekanisme, man benytter for at visitere borgeren til et bestemt "
    "tilbud, har en betydning. Samt indikation af, at et profileringsværktøj er det mest "
    "effektive redskab",
    "reduced_caseload": "Reduceret sagsstamme har positiv betydning for borgernes overgang til "
    "beskæftigelse",
}


def _records_by_title(topic_area) -> dict[str, object]:
    return {record.title: record for record in topic_area.records.filter(canonical__isnull=True)}


@transaction.atomic
def demo_grading_load(*, topic_area, lead, reviewer) -> None:
    """Categories, studies and results of one topic area; nothing once categories exist."""
    if topic_area.categories.exists():
        return
    seed_topic = next(key for key, value in TOPIC_KEYS.items() if value == topic_area.key)
    categories = {}
    for category in seed_data.CATEGORIES:
        if category.topic != seed_topic:
            continue
        categories[category.key] = category_create(
            topic_area=topic_area,
            actor=lead,
            key=category.key.replace("_", "-"),
            title=category.title_da,
            graded=category.graded,
        )
    records = _records_by_title(topic_area)
    studies = {}
    for study in seed_data.STUDIES:
        if study.topic != seed_topic:
            continue
        record = records.get(study.title)
        studies[study.key] = study_create(
            topic_area=topic_area,
            actor=reviewer,
            records=[record] if record else [],
            label=study.label,
            authors=list(study.authors),
            year=study.year,
            title=study.title,
            country=study.country,
            peer_reviewed=study.peer_reviewed,
            design=study.design.value,
            notes=study.design_note,
        )
    for result in seed_data.RESULTS:
        if result.category not in categories:
            continue
        override = result.quality_override.value if result.quality_override else ""
        result_save(
            study=studies[result.study],
            actor=reviewer,
            category=categories[result.category],
            intervention=result.intervention,
            target_group=result.target_group,
            participants=result.participants,
            effect=result.effect,
            direction=result.direction.value,
            risk_of_bias=result.risk_of_bias.value,
            transferability=result.transferability.value,
            transferability_justification=result.transferability_wording,
            quality_override=override,
            quality_reason=result.quality_reason,
        )
    # The demo loads in one command: compute the verdicts now rather than on a worker.
    for category in InterventionCategory.objects.filter(topic_area=topic_area, graded=True):
        verdict_recompute(category=category)
    # The summary table's statements as the report's table 1 words them, and the tables
    # built now (the demo loads in one transaction, before any worker could).
    report_settings_update(
        topic_area=topic_area,
        actor=lead,
        expected_version=0,
        moderate_high_counts_as="middle",
        low_moderate_counts_as="middle",
        statements={
            categories[key].key: text
            for key, text in REPORT_STATEMENTS.items()
            if key in categories
        },
    )
    report_tables_rebuild(topic_area=topic_area)
