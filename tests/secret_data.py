"""A topic area with something of everything in it, each with a secret to leak: the data of
the permission tests of the pages (tests/reviewapp/test_permissions.py) and of the API
(tests/api/conftest.py)."""


def secret_review_data(topic_area, lead, reviewer2) -> dict:
    """An import waiting for its CSV mapping, three records (one merged), a pending pair,
    three stages with a reviewer's decision, a category with a study and a result, an
    extraction field."""
    from django.core.files.base import ContentFile

    from grading.services import studies as study_services
    from grading.services import verdicts as verdict_services
    from screening.models import DuplicatePair, ImportJob, Record, Source
    from screening.services.screening import decision_record, stages_set_up

    job = ImportJob(
        topic_area=topic_area,
        original_name="hidden-export.csv",
        source_name="Secret DB",
        status=ImportJob.Status.NEEDS_MAPPING,
        detected_format="csv",
        created_by=lead,
    )
    job.upload.save("hidden-export.csv", ContentFile(b"Heading A,Heading B\nx,y\n"), save=False)
    job.save()
    source = Source.objects.create(topic_area=topic_area, name="Secret DB")
    first, second, third = (
        Record.objects.create(
            topic_area=topic_area, source=source, position=i, title=f"Confidential record title {i}"
        )
        for i in (1, 2, 3)
    )
    Record.objects.filter(pk=third.pk).update(canonical=first)
    pair = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=first, record_b=second, score=0.8
    )
    stage = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    decision = decision_record(
        item=stage.items.get(record=first),
        reviewer=reviewer2,
        value="include",
        note="Secret decision note",
    )
    category = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="hidden-category", title="Hidden category"
    )
    study = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        label="Secret et al. (2016)",
        title="Confidential study",
        design="matching",
    )
    result = study_services.result_save(
        study=study,
        actor=lead,
        category=category,
        intervention="Secret intervention",
        effect="Secret effect",
        direction="positive",
        risk_of_bias="low",
    )
    field = study_services.extraction_field_create(
        project=topic_area.project, actor=lead, key="secret", label="Hidden field", kind="text"
    )
    return {
        "job": job,
        "source": source,
        "record": third,
        "record_first": first,
        "pair": pair,
        "stage": stage,
        "item": stage.items.get(record=second),
        "decision": decision,
        "category": category,
        "study": study,
        "result": result,
        "extraction_field": field,
    }
