"""The project archive: export_project and import_project."""

import copy
import io
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import override_settings

from grading.demo.review import DEMO_SLUG, demo_load
from grading.models import Verdict
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp import archive
from reviewapp.models import AuditEntry, Project
from screening.models import (
    Decision,
    DuplicatePair,
    FullText,
    MaybeFlag,
    Record,
    ScreeningItem,
    Source,
    Stage,
)
from screening.services import duplicates as duplicate_services
from screening.services import fulltext as fulltext_services
from screening.services import screening as screening_services
from screening.services.labels import record_label_add
from screening.services.records import record_update
from tests.screening.test_fulltext_services import pdf_upload, tiny_pdf

APPS = ["reviewapp", "screening", "grading"]


def _project_path(model, depth=0) -> bool:
    """Whether the model reaches Project through its foreign keys."""
    if model is Project:
        return True
    if depth > 6:
        return False
    return any(
        field.related_model is not None
        and field.related_model is not model
        and _project_path(field.related_model, depth + 1)
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one or field.one_to_one
    )


def test_every_project_model_is_archived_or_excluded_with_a_reason():
    owned = {
        model._meta.label_lower
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model is not Project and _project_path(model)
    }
    registered = {label for label, _path in archive.registry()}
    excluded = set(archive.derived())
    assert owned - registered - excluded == set(), "add these to archive.registry() or DERIVED"
    assert registered & excluded == set()
    assert all(reason.strip() for reason in archive.derived().values())


def test_every_archived_reference_points_at_an_archived_kind():
    # _plan raises ImproperlyConfigured on a foreign key the archive cannot follow.
    for _label, model, _path in archive.registry_models():
        archive._plan(model)


@pytest.mark.django_db
def test_every_registry_path_leads_to_the_project():
    project = Project.objects.create(slug="p", title="P")
    for _label, model, path in archive.registry_models():
        assert model._default_manager.filter(**{path: project}).count() == 0


def _demo_with_work():
    """The demo plus a changed decision and its resolution, a confirmed duplicate, a final
    verdict and a PDF: every kind the demo alone leaves empty."""
    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    user_model = get_user_model()
    lead = user_model.objects.get(username="lead")
    reviewer = user_model.objects.get(username="reviewer1")
    topic_area = project.topic_areas.get(key="caseworkers")
    fulltext_stage = topic_area.stages.get(kind=Stage.Kind.FULLTEXT)
    item = fulltext_stage.items.order_by("order_key").first()
    screening_services.decision_record(
        item=item,
        reviewer=reviewer,
        value="exclude",
        reason=fulltext_stage.exclusion_reasons[0],
        note="Archived second thoughts",
    )
    screening_services.conflict_resolve(
        item=ScreeningItem.objects.get(pk=item.pk), actor=lead, value="include", note="Agreed"
    )
    # A reviewer's private maybe (no decision) travels with the archive too.
    MaybeFlag.objects.create(
        item=fulltext_stage.items.order_by("order_key").last(),
        stage=fulltext_stage,
        reviewer=reviewer,
        note="Archived maybe",
    )
    fulltext_services.fulltext_attach(
        record=item.record,
        actor=reviewer,
        upload=pdf_upload("Hainmueller 2016.pdf", tiny_pdf("Archived full text")),
    )
    source = Source.objects.create(topic_area=topic_area, name="Hand search")
    late = Record.objects.create(
        topic_area=topic_area, source=source, position=1, title=item.record.title
    )
    pair = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=item.record, record_b=late, score=0.9
    )
    duplicate_services.duplicate_pair_confirm(pair=pair, actor=lead)
    # A corrected record keeps its earlier version.
    record_update(
        record=item.record,
        actor=reviewer,
        expected_version=item.record.version,
        abstract="Archived corrected abstract",
    )
    record_label_add(record=item.record, actor=reviewer, name="Archived label")
    verdict = Verdict.objects.filter(category__topic_area=topic_area).first()
    verdict_services.verdict_set_final(
        verdict=verdict,
        actor=lead,
        level=verdict.computed_level,
        rationale="Archived rationale",
        expected_version=verdict.version,
    )
    _grading_work(project, topic_area, lead, reviewer, verdict)
    from grading.models import Comment, Study

    peer = user_model.objects.get(username="peer")
    study = Study.objects.filter(topic_area=topic_area).first()
    question = Comment.objects.create(
        project=project,
        topic_area=topic_area,
        target_kind="study",
        target_id=study.pk,
        target_label=study.label,
        author=peer,
        body="Archived question",
    )
    Comment.objects.create(
        project=project,
        topic_area=topic_area,
        target_kind="study",
        target_id=study.pk,
        parent=question,
        author=lead,
        body="Archived answer",
    )
    return project


EXTRACTED = {
    "direction": "positive",
    "risk_of_bias": "low",
    "quality": "high",
    "transferability": "low",
    "effect": "Archived effect",
}
ROBINS_I = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]


def _grading_work(project, topic_area, lead, reviewer, verdict):
    """An extraction field, a risk-of-bias assessment, dual extractions with their consensus
    and a GRADE assessment: the grading kinds the demo leaves empty."""
    from grading.models import GradeAssessment, Result
    from grading.services import consensus as consensus_services
    from grading.services import rob as rob_services

    second = get_user_model().objects.get(username="reviewer2")
    study_services.extraction_field_create(
        project=project, actor=lead, key="setting", label="Setting", kind="text"
    )
    result = Result.objects.filter(study__topic_area=topic_area).order_by("pk").first()
    rob_services.rob_assessment_save(
        result=result,
        actor=lead,
        tool="robins_i",
        answers={},
        domain_judgements=dict.fromkeys(ROBINS_I, "moderate"),
        overall="moderate",
        notes=dict.fromkeys([*ROBINS_I, "overall"], "Archived bias note"),
        expected_version=0,
    )
    consensus_services.extraction_settings_update(project=project, actor=lead, dual_extraction=True)
    for extractor in (reviewer, second):
        consensus_services.extraction_save(
            result=result, reviewer=extractor, values=EXTRACTED, expected_version=0
        )
    consensus_services.consensus_record(
        result=Result.objects.get(pk=result.pk), actor=lead, values=EXTRACTED, expected_version=0
    )
    GradeAssessment.objects.create(
        category=verdict.category,
        risk_of_bias=1,
        reasons={"risk_of_bias": "Archived reason"},
        assessed_by=lead,
    )


def _normalised(document: dict) -> str:
    """The document with the slug and copied file names (which get a suffix) made equal."""
    document = copy.deepcopy(document)
    document["project"]["slug"] = "SLUG"
    for label in ("screening.importjob", "screening.fulltext"):
        for item in document["objects"][label]:
            for key in ("upload", "file"):
                if item.get(key):
                    item[key] = re.sub(r"(_[A-Za-z0-9]{7})+(\.\w+)$", r"\2", item[key])
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


@pytest.mark.django_db
def test_export_import_export_gives_the_same_document(tmp_path):
    project = _demo_with_work()
    first_file = tmp_path / "first.json"
    call_command("export_project", DEMO_SLUG, output=str(first_file), stdout=io.StringIO())
    out = io.StringIO()

    call_command("import_project", str(first_file), slug="copy", stdout=out)

    second_file = tmp_path / "second.json"
    call_command("export_project", "copy", output=str(second_file), stdout=io.StringIO())
    first = json.loads(first_file.read_text())
    second = json.loads(second_file.read_text())
    empty = [label for label, _path in archive.registry() if not first["objects"][label]]
    assert empty == [], "give every archived kind an object in _demo_with_work"
    assert second["project"]["slug"] == "copy"
    assert _normalised(first) == _normalised(second)
    # The copy holds the work, not only the counts.
    copy_project = Project.objects.get(slug="copy")
    assert copy_project.pk != project.pk
    for label, _model, _path in archive.registry_models():
        assert len(second["objects"][label]) == len(first["objects"][label]), label
    assert len(first["objects"]["screening.record"]) > 10
    assert Verdict.objects.filter(
        category__topic_area__project=copy_project, rationale="Archived rationale"
    ).exists()
    from grading.models import Comment

    answer = Comment.objects.get(project=copy_project, body="Archived answer")
    assert answer.parent.body == "Archived question"
    assert answer.target_id == copy_project.topic_areas.get(key="caseworkers").studies.first().pk
    text = FullText.objects.get(record__topic_area__project=copy_project, not_retrievable=False)
    original = FullText.objects.get(record__topic_area__project=project, not_retrievable=False)
    assert text.file.name != original.file.name  # its own copy: removing one keeps the other
    with text.file.open("rb") as stored:
        assert b"Archived full text" in stored.read()
    # Six import files (three of the seed's topic areas, three of the screening in
    # progress) and the PDF.
    assert "Files copied: 7" in out.getvalue()
    assert "Project copy imported" in out.getvalue()


@pytest.mark.django_db
def test_import_keeps_references_times_and_history():
    project = _demo_with_work()
    document = archive.project_export(project=project)

    copy_project = archive.project_import(data=document, slug="copy").project

    def snapshot(of):
        records = Record.objects.filter(topic_area__project=of).order_by("pk")
        return {
            "canonical": [
                (r.title, r.canonical.title if r.canonical else None, r.source.name)
                for r in records
            ],
            "items": sorted(
                (i.record.title, i.stage.name, i.status, i.entered_at.isoformat())
                for i in ScreeningItem.objects.filter(stage__topic_area__project=of)
            ),
            "decisions": sorted(
                (d.item.record.title, d.reviewer.username, d.value, d.decided_at.isoformat())
                for d in Decision.objects.filter(item__stage__topic_area__project=of)
            ),
            "reviewers": sorted(
                (s.name, u.username)
                for s in Stage.objects.filter(topic_area__project=of)
                for u in s.reviewers.all()
            ),
            "audit": sorted(
                (e.action, e.actor.username if e.actor else None, e.created_at.isoformat())
                for e in AuditEntry.objects.filter(project=of)
            ),
        }

    assert snapshot(copy_project) == snapshot(project)
    assert copy_project.created_at == project.created_at
    # The audit entries name the copy's objects, not the original's.
    entry = AuditEntry.objects.get(project=copy_project, action="fulltext.attach")
    assert Record.objects.get(pk=entry.object_id).topic_area.project == copy_project


@pytest.mark.django_db
def test_missing_users_are_created_inactive_and_named(tmp_path):
    project = _demo_with_work()
    path = tmp_path / "demo.json"
    path.write_text(archive.project_export_json(project=project))
    document = json.loads(path.read_text())
    for user in document["users"]:
        if user["username"] == "reviewer2":
            user["username"] = "newcomer"
    text = json.dumps(document).replace('"reviewer2"', '"newcomer"')
    path.write_text(text)
    out = io.StringIO()

    call_command("import_project", str(path), slug="moved", stdout=out)

    newcomer = get_user_model().objects.get(username="newcomer")
    assert not newcomer.is_active
    assert not newcomer.has_usable_password()
    assert "Users created inactive" in out.getvalue() and "newcomer" in out.getvalue()
    moved = Project.objects.get(slug="moved")
    assert moved.memberships.filter(user=newcomer, role="reviewer").exists()


@pytest.mark.django_db
def test_export_of_the_demo_costs_one_query_per_kind(django_assert_max_num_queries):
    project = _demo_with_work()
    many = sum(len(archive._plan(model)[2]) for _label, model, _path in archive.registry_models())
    with django_assert_max_num_queries(len(archive.registry()) + many + 1):
        archive.project_export(project=project)


def _state():
    return (
        Project.objects.count(),
        Record.objects.count(),
        AuditEntry.objects.count(),
        get_user_model().objects.count(),
    )


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker, media_root):
    """The demo's archive, made once: the bad-input tests import it into an empty database."""
    fast = override_settings(
        MEDIA_ROOT=str(media_root),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with fast, django_db_blocker.unblock(), transaction.atomic():
        document = archive.project_export(project=_demo_with_work())
        transaction.set_rollback(True)
    return document


def _broken(document, change):
    broken = copy.deepcopy(document)
    change(broken)
    return broken


def _set(path, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


BAD = [
    (_set(["version"], 99), "Unknown archive format version 99"),
    (_set(["format"], "something"), "not a project archive"),
    (_delete(["objects", "screening.decision"]), "'screening.decision' is missing"),
    (_delete(["objects", "screening.record", 2, "title"]), "screening.record 3: the key 'title'"),
    (
        _set(["objects", "screening.record", 4, "source"], 999),
        "screening.record 5.source: there is no screening.source 999",
    ),
    (
        _set(["objects", "screening.record", 0, "canonical"], 999),
        "screening.record 1.canonical: there is no screening.record 999",
    ),
    (
        _set(["objects", "screening.decision", 0, "reviewer"], "ghost"),
        "screening.decision 1.reviewer: the user 'ghost'",
    ),
    (
        _set(["objects", "screening.decision", 0, "value"], "perhaps"),
        "screening.decision 1.value: 'perhaps' is not one",
    ),
    (_set(["objects", "grading.study", 0, "year"], "soon"), "grading.study 1.year"),
    (
        _set(["objects", "screening.stage", 0, "reviewers"], [1, "ghost"]),
        "screening.stage 1.reviewers",
    ),
    (
        _set(["objects", "screening.duplicatepair", 0, "record_a"], 999),
        "screening.duplicatepair 1.record_a",
    ),
    (
        _set(["objects", "screening.decision", 0, "stage"], 999),
        "screening.decision 1.stage: not the stage of its item",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _c, m in BAD])
@pytest.mark.django_db
def test_bad_archive_names_the_problem_and_imports_nothing(document, change, message):
    broken = _broken(document, change)
    before = _state()

    with pytest.raises(archive.ArchiveError) as error:
        archive.project_import(data=broken, slug="broken")

    assert message in str(error.value)
    assert _state() == before


@pytest.mark.django_db
def test_a_version_1_archive_gives_each_decision_its_items_stage(document):
    old = copy.deepcopy(document)
    old["version"] = 1
    for decision in old["objects"]["screening.decision"]:
        del decision["stage"]  # version 1 kept the stage on the item only

    archive.project_import(data=old, slug="from-version-1")

    decisions = Decision.objects.filter(item__stage__topic_area__project__slug="from-version-1")
    assert decisions.count() == len(document["objects"]["screening.decision"]) > 0
    assert all(decision.stage_id == decision.item.stage_id for decision in decisions)
    assert "stage" not in old["objects"]["screening.decision"][0]  # the caller's data as it was


@pytest.mark.django_db
def test_import_refuses_an_existing_slug_and_bad_json(tmp_path):
    project = _demo_with_work()
    path = tmp_path / "demo.json"
    path.write_text(archive.project_export_json(project=project))
    with pytest.raises(CommandError, match="exists already; import with --slug"):
        call_command("import_project", str(path), stdout=io.StringIO())
    path.write_text('{"format": "reviewapp-project",\n "version": 1,,}')
    with pytest.raises(
        CommandError, match=r"Not valid JSON \(line 2, column 15\): .*quotes\. Nothing was"
    ):
        call_command("import_project", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No project with the short name 'nope'"):
        call_command("export_project", "nope", output=str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_failed_import_deletes_the_files_it_copied(document, media_root):
    project = archive.project_import(data=document).project  # the files exist now
    broken = _broken(document, _set(["objects", "grading.study", 0, "year"], "soon"))
    before = sorted(path.name for path in media_root.rglob("*.pdf"))

    with pytest.raises(archive.ArchiveError):
        archive.project_import(data=broken, slug="broken")

    assert sorted(path.name for path in media_root.rglob("*.pdf")) == before
    assert project.slug == DEMO_SLUG


@pytest.mark.parametrize(
    "field",
    [
        models.DecimalField(max_digits=12, decimal_places=4, null=True),
        models.DateTimeField(null=True),
        models.DateField(null=True),
        models.FloatField(null=True),
    ],
)
@pytest.mark.parametrize(
    "value", ["1.2500", "2019-05-01T12:30:00.123456+00:00", "2019-05-01", None]
)
def test_plain_values_survive_json(field, value):
    try:
        parsed = archive._plain_in(field, value, "x")
    except archive.ArchiveError:
        return  # not a value of this kind of field
    again = archive._plain_out(field, parsed)
    assert archive._plain_in(field, json.loads(json.dumps(again)), "x") == parsed


@pytest.mark.django_db
def test_zip_with_files_brings_the_files_along(tmp_path):
    project = _demo_with_work()
    bundle = tmp_path / "demo.zip"
    call_command(
        "export_project", DEMO_SLUG, output=str(bundle), with_files=True, stdout=io.StringIO()
    )
    # Another installation: the files are not in its storage.
    original = FullText.objects.get(record__topic_area__project=project, not_retrievable=False)
    original.file.storage.delete(original.file.name)
    out = io.StringIO()

    call_command("import_project", str(bundle), slug="moved", stdout=out)

    moved = FullText.objects.get(record__topic_area__project__slug="moved", not_retrievable=False)
    with moved.file.open("rb") as stored:
        assert b"Archived full text" in stored.read()
    assert "Files referenced but not" not in out.getvalue()
    assert "Files copied: 7" in out.getvalue()


@pytest.mark.django_db
def test_zip_without_its_document_is_refused(tmp_path):
    import zipfile

    bundle = tmp_path / "empty.zip"
    with zipfile.ZipFile(bundle, "w") as empty:
        empty.writestr("other.txt", "x")
    with pytest.raises(CommandError, match="The zip holds no project.json. Nothing was"):
        call_command("import_project", str(bundle), stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_name_outside_the_storage_is_refused(document):
    broken = _broken(document, _set(["objects", "screening.fulltext", 0, "file"], "../../x.pdf"))
    with pytest.raises(archive.ArchiveError, match=r"screening.fulltext 1.file: the file name"):
        archive.project_import(data=broken, slug="broken")
    assert not Project.objects.filter(slug="broken").exists()
